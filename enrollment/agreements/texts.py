"""The 《课后服务协议书》 text: the default template body and its rendering.

A template body is Django template language over plain strings only (no model
objects, so an edited template cannot reach data beyond what is listed in
``agreement_context``) and renders to plain text; pages show it with
``linebreaks`` and the PDF helper can do the same with the frozen
``Agreement.text``.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.template import Context, Template, TemplateSyntaxError
from django.template.base import FilterExpression, Node, NodeList, Variable, VariableNode
from django.template.defaulttags import ForNode, IfNode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from afterschool.models import GRADE_NAMES
from afterschool.selectors import school_fee_cap, term_times_text, year_class_label
from enrollment.models import Application, WaiverStatus

# The seed's 服务说明 (一.2, 一.4, 一.7) and 安全要求 (二.1–3) as a contract.
DEFAULT_BODY = """{{ school_name }}课后服务协议书

甲方：{{ school_name }}
乙方：{{ grade_name }}{{ class_name }}学生{{ student_name }}的家长（监护人）{{ guardian_name }}

为落实“双减”工作要求，遵循“学生自愿，校内实施，安全共管”的原则，经乙方自愿申请、\
学校审核，甲乙双方就{{ term_name }}课后服务事宜达成如下协议：

一、服务时间
在校学习日（节假日除外）中午放学期间和下午放学后，每天共两课时（特殊情况，另行通知）。\
参加课后服务的学生上午按时放学，{{ participant_arrival }}到校，\
下午{{ participant_dismissal }}放学；\
不参加课后服务的学生{{ nonparticipant_arrival }}到校，下午{{ nonparticipant_dismissal }}放学。\
服务期为{{ term_first_day }}至{{ term_last_day }}。
乙方申请的服务项目：{{ parts }}。

二、服务内容
1. 基础课程：作业辅导，答疑解惑。教师巡视学生学习情况，指导学生自主完成作业，\
帮助学生解决学习中的问题；课后服务时段严禁教师授课。
2. 特色课程：每周其中一天为“特色课后服务日”，开设体育、音乐、舞蹈、美术、书法、\
阅读等兴趣社团，由学生自主选择参加。

三、收费标准
课后服务收费标准最高不超过{{ fee_per_period }}元/课时/生，每天不超过{{ periods_per_day }}课时收费，\
即最高不超过{{ fee_per_day }}元/天/生{% if fee_document %}（依据{{ fee_document }}）{% endif %}，\
此费用由家长承担。依据相关规定，对家庭困难子女免收课后服务费。\
{% if waiver %}
本协议学生：{{ waiver }}。{% endif %}

四、安全责任
1. 课后服务期间，校内安全由上课老师和学校负责，校外安全由家长或监护人负责。\
{% if is_boarder %}本学生为住宿生，统一由学校管理。{% else %}住宿生统一由学校管理。{% endif %}
2. 乙方应加强对学生的交通安全教育，确保学生安全上下学。{% if is_boarder %}{{ pickup }}。\
{% else %}服务结束后由学校统一组织学生安全离校，{{ pickup }}。{% endif %}

五、请假与纪律
学生应严格遵守学校的各项规章制度，有事有病必须履行请假手续，服务期间不得擅自离校，\
服从教师管理。对严重违纪或屡教不改的学生，甲方有权终止其参加课后服务的资格。

六、协议期限
本协议自乙方签字之日起生效，有效期至{{ term_name }}结束（{{ term_last_day }}）。\
乙方可书面申请退出课后服务。

甲方（盖章）：{{ school_name }}
乙方（签字）：{{ signature }}
日期：{{ signed_date }}
"""

# Placeholders an admin can use, with what they mean (shown in the editor).
PLACEHOLDERS = {
    "school_name": _l("学校名称"),
    "term_name": _l("学期名称"),
    "term_first_day": _l("学期开始日期"),
    "term_last_day": _l("学期结束日期"),
    "student_name": _l("学生姓名"),
    "grade_name": _l("年级"),
    "class_name": _l("班级"),
    "guardian_name": _l("家长姓名"),
    "participant_arrival": _l("参加课后服务学生到校时间"),
    "participant_dismissal": _l("参加课后服务学生放学时间"),
    "nonparticipant_arrival": _l("不参加学生到校时间"),
    "nonparticipant_dismissal": _l("不参加学生放学时间"),
    "parts": _l("申请的服务项目"),
    "fee_per_period": _l("每课时收费上限（元）"),
    "periods_per_day": _l("每天收费课时数"),
    "fee_per_day": _l("每天收费上限（元）"),
    "fee_document": _l("收费依据文件"),
    "waiver": _l("费用减免情况"),
    "is_boarder": _l("是否住宿生"),
    "pickup": _l("接送安排"),
    "signature": _l("家长签名"),
    "signed_date": _l("签署日期"),
}

ALLOWED_TAGS = {"if", "elif", "else", "endif", "for", "empty", "endfor", "comment", "endcomment"}
_TAG_RE = re.compile(r"{%-?\s*(\w+)")


def _date(day: datetime.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "____年__月__日"


def template_body_validate(body: str) -> None:
    """Raise ``ValidationError`` (Chinese) when ``body`` is not a usable
    template: a syntax error, a tag beyond if/for/comment (no include,
    load or extends, so the text cannot pull in other files), or a
    placeholder that is not one of ``PLACEHOLDERS`` (the keys of
    ``agreement_context``; the message lists the allowed ones)."""
    for tag in _TAG_RE.findall(body):
        if tag not in ALLOWED_TAGS:
            raise ValidationError(
                _("协议模板中不能使用“%(tag)s”标签，只能使用 if、for 和 comment。"),
                params={"tag": tag},
            )
    try:
        template = Template(body)
    except TemplateSyntaxError as exc:
        raise ValidationError(_("协议模板格式有误：%(error)s"), params={"error": str(exc)}) from exc
    unknown = sorted(_variable_names(template.nodelist, bound=set()) - set(PLACEHOLDERS))
    if unknown:
        # A mistyped placeholder would otherwise print as a blank.
        raise ValidationError(
            _("协议模板中有未知的占位符：%(unknown)s。可以使用的占位符：%(allowed)s。"),
            params={
                "unknown": "、".join("{{ " + name + " }}" for name in unknown),
                "allowed": "、".join("{{ " + name + " }}" for name in PLACEHOLDERS),
            },
        )


def _expression_names(expr: FilterExpression, bound: set[str]) -> set[str]:
    # The first part of each variable in ``expr`` and its filter arguments
    # (``a.b|default:c`` → a, c); literals and loop variables left out.
    names = set()
    parts = [expr.var] + [arg for _func, args in expr.filters for _lookup, arg in args]
    for part in parts:
        if isinstance(part, Variable) and part.lookups:
            name = part.lookups[0]
            if name not in bound:
                names.add(name)
    return names


def _condition_names(condition, bound: set[str]) -> set[str]:
    # An {% if %} condition is a tree of operators over literals.
    if condition is None:
        return set()
    if hasattr(condition, "value") and isinstance(condition.value, FilterExpression):
        return _expression_names(condition.value, bound)
    names = set()
    for side in (getattr(condition, "first", None), getattr(condition, "second", None)):
        names |= _condition_names(side, bound)
    return names


def _variable_names(nodelist: NodeList, *, bound: set[str]) -> set[str]:
    """Names a compiled template reads from its context: ``{{ x }}``, the
    conditions of ``{% if %}`` and the sequences of ``{% for %}``; the loop
    variables (and ``forloop``) count as known inside their loop."""
    names: set[str] = set()
    node: Node
    for node in nodelist:
        if isinstance(node, VariableNode):
            names |= _expression_names(node.filter_expression, bound)
        elif isinstance(node, IfNode):
            for condition, branch in node.conditions_nodelists:
                names |= _condition_names(condition, bound)
                names |= _variable_names(branch, bound=bound)
        elif isinstance(node, ForNode):
            names |= _expression_names(node.sequence, bound)
            inner = bound | set(node.loopvars) | {"forloop"}
            names |= _variable_names(node.nodelist_loop, bound=inner)
            names |= _variable_names(node.nodelist_empty or NodeList(), bound=bound)
        else:
            for attr in node.child_nodelists:
                names |= _variable_names(getattr(node, attr, None) or NodeList(), bound=bound)
    return names


def agreement_context(
    *,
    application: Application,
    guardian_name: str,
    signature: str = "",
    signed_on: datetime.date | None = None,
) -> dict[str, object]:
    """Plain values for rendering the agreement of ``application``.

    ``guardian_name`` is 乙方; ``signature``/``signed_on`` fill the signature
    line (blank lines when not signed). Times from the term, fee cap from the
    school (defaults 2.30 yuan × 2 = 4.60 yuan a day).
    """
    term = application.term
    student = application.student
    # The class of the term's year when the application was read with
    # ``year_class_annotations`` (a past term's agreement keeps its class).
    grade, number = year_class_label(application, student)
    cap = school_fee_cap(student.school)
    waiver = ""
    waiver_request = getattr(application, "waiver", None) if application.pk else None
    if waiver_request is not None:
        if waiver_request.status == WaiverStatus.APPROVED:
            waiver = _("经学校审核，免收课后服务费")
        elif waiver_request.status == WaiverStatus.PENDING:
            waiver = _("已申请减免课后服务费，待学校审核")
    if student.is_boarder:
        # Seed 二.1: 住宿生统一由学校管理 — no one picks a boarder up.
        pickup = _("本学生为住宿生，服务结束后不离校，由学校统一管理")
    elif application.goes_home_alone:
        pickup = _("学生自行回家")
    else:
        relation = f"（{application.pickup_relation}）" if application.pickup_relation else ""
        pickup = _("由%(name)s%(relation)s接回") % {
            "name": application.pickup_name,
            "relation": relation,
        }
    return {
        "school_name": student.school.name,
        "term_name": term.name,
        "term_first_day": _date(term.first_day),
        "term_last_day": _date(term.last_day),
        "student_name": student.name,
        "grade_name": GRADE_NAMES[grade],
        "class_name": f"（{number}）班",
        "guardian_name": guardian_name,
        **term_times_text(term),
        "parts": "、".join(application.part_labels) or _("（未选择）"),
        "fee_per_period": f"{cap.per_period:.2f}",
        "periods_per_day": str(cap.periods_per_day),
        "fee_per_day": f"{cap.per_day:.2f}",
        "fee_document": cap.document,
        "waiver": waiver,
        "is_boarder": student.is_boarder,
        "pickup": pickup,
        "signature": signature or "________",
        "signed_date": _date(signed_on),
    }


def agreement_render(*, body: str, context: dict[str, object]) -> str:
    """Render a template ``body`` with ``context`` to plain text (no HTML
    escaping: the text is escaped where it is shown)."""
    return Template(body).render(Context(context, autoescape=False)).strip() + "\n"
