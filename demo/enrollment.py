"""Enrollment demo data for 阳光实验小学's 2024 autumn term (``build(demo)``,
called from ``billing/management/commands/load_demo.py``).

What it builds, so every enrollment page shows real data:

- the survey (open), with an answer from almost every family;
- the default agreement template (version 1);
- per class, applications in the state its review has reached:
  most classes approved by the school (most agreements signed online, some
  received on paper, the rest waiting for a signature; a few withdrawn, one
  terminated every few classes), some classes submitted to the school and
  waiting, some still with their homeroom teacher (submitted, approved by
  the teacher, returned with a reason, drafts); 三年级（2）班 has both an
  approved first batch and late applications for hr_3_2 to review;
- about 12% of families opting out in writing, a few not answering at all;
- fee-waiver requests from families in difficulty: approved, pending, and
  one declined with a reason;
- class submissions and the history timeline (ApplicationEvent) of every
  application.

The demo families: 13800138001's child in 三年级（2）班 is approved and waits
for the agreement to be signed, the one in 一年级（3）班 has signed;
13800138002's application was returned with a reason to fix and resubmit.

Deterministic (a seeded random stream per class) and idempotent: every row
is written by natural key through ``afterschool.demo._sync``, so a second
run writes nothing. Bulk inserts throughout; no service calls (they would
write one row at a time and stamp the real time).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.template import Context, Template

from afterschool.demo import (
    SEED,
    SIBLINGS_GUARDIAN_MOBILE,
    SINGLE_CHILD_GUARDIAN_MOBILE,
    DemoSchool,
    _sync,
    homeroom_username,
)
from afterschool.models import Guardianship, Student
from enrollment.agreements import DEFAULT_BODY, agreement_context
from enrollment.models import (
    Agreement,
    AgreementTemplate,
    Application,
    ApplicationEvent,
    ClassSubmission,
    OptOut,
    Status,
    Survey,
    SurveyAnswer,
    SurveyResponse,
    WaiverRequest,
    WaiverStatus,
)
from enrollment.services import opt_out_statement

S = Status
TZ = ZoneInfo("Asia/Shanghai")

# How far each class's review has gone (the rest: approved by the school).
STAGE_TO_SCHOOL = {(4, 1), (4, 2), (5, 4)}  # submitted, waiting for the school
STAGE_REVIEW = {(3, 1), (3, 3), (4, 3), (4, 4), (6, 4)}  # with the homeroom teacher
STAGE_MIXED = {(3, 2)}  # first batch approved, late ones to review (hr_3_2)

OPT_OUT_RATE = 0.12
NO_ANSWER_RATE = 0.03
PAPER_RATE = 0.08

# The one declined waiver: the first approved application of this class.
DECLINED_WAIVER_CLASS = (2, 1)

REASONS = (
    "父母下班晚，放学后家里没人接。",
    "我们双职工，下午五点半才下班，希望孩子在学校完成作业。",
    "孩子在学校写作业效率高，有老师辅导更放心。",
    "爷爷奶奶年纪大了，接送不方便。",
    "想让孩子参加学校的兴趣社团。",
    "家离学校远，中午回家来不及。",
    "工作时间不固定，需要学校帮忙看护。",
    "孩子想和同学一起参加书法和阅读活动。",
)
HEALTH_NOTES = ("", "", "", "", "", "", "花生过敏。", "有哮喘，书包里常备药。", "近视，需坐前排。")
RETURN_REASONS = (
    "请补充紧急联系人的电话。",
    "接送人与学生关系填写不清楚，请补充后重新提交。",
    "健康状况说明过于简单，请写明过敏情况。",
)
SCHOOL_RETURN_REASON = "接送人手机号无法接通，请核实后重新提交。"
WITHDRAW_REASONS = (
    "孩子奶奶来帮忙带孩子了，放学后由家里接。",
    "家里搬家转学，不再参加课后服务。",
    "孩子下午要上医院康复训练，申请退出。",
)
TERMINATE_REASON = "多次未经请假擅自离开服务场所，经教育屡教不改，按协议终止资格。"
WAIVER_REASONS = (
    "家庭是低保户，父亲长期生病，收入困难。",
    "建档立卡家庭，母亲一人打零工抚养两个孩子。",
    "父亲工伤在家，家庭收入很低。",
)
DECLINE_REASON = "经核实，家庭不属于低保或建档立卡困难家庭，不予减免。"


def _at(day: datetime.date, minutes: int) -> datetime.datetime:
    """A local time on ``day``, ``minutes`` after 08:00 (whole seconds)."""
    base = datetime.datetime.combine(day, datetime.time(8, 0), tzinfo=TZ)
    return base + datetime.timedelta(minutes=minutes)


def _day(month: int, day: int) -> datetime.date:
    year = 2024
    return datetime.date(year, month, day)


@dataclass
class _Plan:
    """What one student's family did, before it becomes rows."""

    student: Student
    guardian_name: str
    guardian_user_id: int | None
    relation: str
    mobile: str
    answer: str | None = None  # survey
    opt_out: bool = False
    status: str | None = None  # application
    on_paper: bool = False
    # (from, to, reason, user id, at)
    events: list[tuple] = field(default_factory=list)
    waiver: str | None = None  # WaiverStatus or None
    agreement: str | None = None  # "online" | "paper" | None
    submission: bool = False


def _stage(key: tuple[int, int]) -> str:
    if key in STAGE_TO_SCHOOL:
        return "to_school"
    if key in STAGE_REVIEW:
        return "review"
    if key in STAGE_MIXED:
        return "mixed"
    return "approved"


def _draw_status(rng: random.Random, stage: str) -> str:
    weights = {
        "approved": {S.APPROVED: 90, S.WITHDRAWN: 4, S.DRAFT: 3, S.SUBMITTED: 3},
        "to_school": {S.SUBMITTED_TO_SCHOOL: 90, S.RETURNED: 4, S.WITHDRAWN: 2, S.DRAFT: 4},
        "review": {
            S.SUBMITTED: 55,
            S.APPROVED_BY_HOMEROOM: 30,
            S.RETURNED: 8,
            S.DRAFT: 5,
            S.WITHDRAWN: 2,
        },
        "mixed": {
            S.APPROVED: 50,
            S.SUBMITTED: 30,
            S.APPROVED_BY_HOMEROOM: 10,
            S.RETURNED: 5,
            S.DRAFT: 5,
        },
    }[stage]
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# Who makes each move: "family" (guardian, or the teacher for paper forms),
# "homeroom", "admin".
_APPROVED_PATH = [
    (S.DRAFT, S.SUBMITTED, "family"),
    (S.SUBMITTED, S.APPROVED_BY_HOMEROOM, "homeroom"),
    (S.APPROVED_BY_HOMEROOM, S.SUBMITTED_TO_SCHOOL, "homeroom"),
    (S.SUBMITTED_TO_SCHOOL, S.APPROVED, "admin"),
]


def _path(status: str, stage: str) -> list[tuple[str, str, str]]:
    """The moves that brought an application of a class at ``stage`` to
    ``status``, each (from, to, who)."""
    if status == S.DRAFT:
        return []
    if status == S.SUBMITTED:
        return _APPROVED_PATH[:1]
    if status == S.APPROVED_BY_HOMEROOM:
        return _APPROVED_PATH[:2]
    if status == S.SUBMITTED_TO_SCHOOL:
        return _APPROVED_PATH[:3]
    if status == S.APPROVED:
        return _APPROVED_PATH[:]
    if status == S.RETURNED:
        if stage == "to_school":
            return [*_APPROVED_PATH[:3], (S.SUBMITTED_TO_SCHOOL, S.RETURNED, "admin")]
        return [_APPROVED_PATH[0], (S.SUBMITTED, S.RETURNED, "homeroom")]
    if status == S.WITHDRAWN:
        if stage == "approved":
            return [*_APPROVED_PATH, (S.APPROVED, S.WITHDRAWN, "family")]
        return [_APPROVED_PATH[0], (S.SUBMITTED, S.WITHDRAWN, "family")]
    if status == S.TERMINATED:
        return [*_APPROVED_PATH, (S.APPROVED, S.TERMINATED, "admin")]
    raise ValueError(status)


# When each move happens (date, minutes after 08:00 drawn per application).
_MOVE_DAY = {
    S.SUBMITTED: (_day(8, 21), 6),  # first day, spread over 6 days
    S.APPROVED_BY_HOMEROOM: (_day(8, 27), 2),
    S.SUBMITTED_TO_SCHOOL: (_day(8, 29), 1),
    S.APPROVED: (_day(8, 30), 1),
    S.RETURNED: (_day(8, 28), 2),
    S.WITHDRAWN: (_day(9, 16), 20),
    S.TERMINATED: (_day(10, 15), 1),
}
# Late applications of classes still under review arrive after term starts.
_LATE_SUBMIT = (_day(9, 2), 5)


def _plan_class(
    key: tuple[int, int], students: list[Student], families: dict[int, Guardianship]
) -> list[_Plan]:
    rng = random.Random(f"{SEED}:enrollment:{key[0]}:{key[1]}")
    stage = _stage(key)
    plans = []
    terminated = False
    for student in students:
        link = families[student.pk]
        guardian = link.guardian
        plan = _Plan(
            student=student,
            guardian_name=guardian.name,
            guardian_user_id=guardian.user_id,
            relation=link.relation,
            mobile=guardian.mobile,
        )
        plans.append(plan)
        draw = rng.random()
        if draw < NO_ANSWER_RATE:
            continue
        if draw < NO_ANSWER_RATE + OPT_OUT_RATE:
            plan.answer, plan.opt_out = SurveyAnswer.DECLINE, True
            continue
        plan.status = _draw_status(rng, stage)
        if (
            stage == "approved"
            and not terminated
            and plan.status == S.APPROVED
            and (key[0] * 4 + key[1]) % 4 == 0
            and rng.random() < 0.2
        ):
            plan.status, terminated = S.TERMINATED, True
        plan.on_paper = rng.random() < PAPER_RATE
        plan.answer = SurveyAnswer.JOIN
        if plan.status == S.DRAFT and rng.random() < 0.5:
            plan.answer = SurveyAnswer.UNDECIDED
    return plans


def _override_demo_families(plans: list[_Plan]) -> None:
    """The two demo families' states (module docstring)."""
    for plan in plans:
        grade = plan.student.school_class.grade
        if plan.mobile == SIBLINGS_GUARDIAN_MOBILE:
            plan.answer, plan.opt_out, plan.on_paper = SurveyAnswer.JOIN, False, False
            plan.status = S.APPROVED
            plan.agreement = "online" if grade == 1 else "none"
        elif plan.mobile == SINGLE_CHILD_GUARDIAN_MOBILE:
            plan.answer, plan.opt_out, plan.on_paper = SurveyAnswer.JOIN, False, False
            plan.status = S.RETURNED


def build(demo: DemoSchool) -> None:
    """Build or refresh the enrollment data of the demo term (see the
    module docstring). Needs ``afterschool.demo.load_demo``'s ``demo``."""
    school, term = demo.school, demo.term
    admin = demo.staff["admin"]
    # With class and school joined: agreement texts and statements read them.
    students = list(
        Student.objects.filter(school=school)
        .select_related("school", "school_class")
        .order_by("student_number")
    )
    families: dict[int, Guardianship] = {}
    for link in (
        Guardianship.objects.filter(student__school=school)
        .select_related("guardian")
        .order_by("pk")
    ):
        families.setdefault(link.student_id, link)
    by_class: dict[tuple[int, int], list[Student]] = {}
    for student in students:
        c = student.school_class
        by_class.setdefault((c.grade, c.number), []).append(student)

    plans: list[_Plan] = []
    for key in sorted(by_class):
        plans.extend(_plan_class(key, by_class[key], families))
    _override_demo_families(plans)

    # --- survey, template, class submissions
    survey_open = _at(_day(8, 19), 60)
    (survey,) = _sync(
        Survey,
        Survey.objects.filter(term=term),
        [Survey(school=school, term=term, opened_at=survey_open, opened_by=admin)],
        key=("term_id",),
        fields=("opened_at", "opened_by"),
    ).values()
    (template,) = _sync(
        AgreementTemplate,
        AgreementTemplate.objects.filter(school=school, version=1),
        [AgreementTemplate(school=school, version=1, body=DEFAULT_BODY, created_at=survey_open)],
        key=("school_id", "version"),
        fields=("body",),
    ).values()

    wanted_subs = []
    for (grade, number), school_class in sorted(demo.classes.items()):
        stage = _stage((grade, number))
        if stage == "review":
            continue
        teacher = demo.staff[homeroom_username(grade, number)]
        approved = stage in {"approved", "mixed"}
        wanted_subs.append(
            ClassSubmission(
                school_class=school_class,
                term=term,
                submitted_by=teacher,
                submitted_at=_at(_day(8, 29), 60 + grade * 10 + number),
                frozen=True,
                approved_by=admin if approved else None,
                approved_at=_at(_day(8, 30), 420 + grade * 10 + number) if approved else None,
            )
        )
    subs = _sync(
        ClassSubmission,
        ClassSubmission.objects.filter(term=term),
        wanted_subs,
        key=("school_class_id", "term_id"),
        fields=("submitted_by", "submitted_at", "frozen", "approved_by", "approved_at"),
    )

    # --- applications and their history
    wanted_apps, app_plans = [], []
    for plan in plans:
        if plan.status is None:
            continue
        student = plan.student
        c = student.school_class
        stage = _stage((c.grade, c.number))
        rng = random.Random(f"{SEED}:enrollment:app:{student.student_number}")
        teacher = demo.staff[homeroom_username(c.grade, c.number)]
        family_user = teacher.pk if plan.on_paper else plan.guardian_user_id
        who = {"family": family_user, "homeroom": teacher.pk, "admin": admin.pk}
        late = stage in {"review", "mixed"} and plan.status not in {S.APPROVED}
        plan.events = []
        last_at = None
        for frm, to, actor in _path(plan.status, stage):
            day, spread = _LATE_SUBMIT if (late and to == S.SUBMITTED) else _MOVE_DAY[to]
            if late and to in {S.APPROVED_BY_HOMEROOM, S.RETURNED}:
                day, spread = day + datetime.timedelta(days=8), 2
            at = _at(day + datetime.timedelta(days=rng.randrange(spread)), rng.randrange(600))
            if last_at is not None and at <= last_at:
                at = last_at + datetime.timedelta(minutes=rng.randrange(30, 240))
            reason = ""
            if to == S.RETURNED:
                reason = SCHOOL_RETURN_REASON if actor == "admin" else rng.choice(RETURN_REASONS)
                if plan.mobile == SINGLE_CHILD_GUARDIAN_MOBILE:
                    reason = RETURN_REASONS[1]
            elif to == S.WITHDRAWN:
                reason = rng.choice(WITHDRAW_REASONS)
            elif to == S.TERMINATED:
                reason = TERMINATE_REASON
            plan.events.append((frm, to, reason, who[actor], at))
            last_at = at
        created = _at(_day(8, 20), rng.randrange(1, 3000))
        if plan.events and created >= plan.events[0][4]:
            created = plan.events[0][4] - datetime.timedelta(hours=2)
        alone = c.grade >= 4 and rng.random() < 0.15
        hardship = student.is_financial_hardship or rng.random() < 0.01
        submitted_at = next((e[4] for e in plan.events if e[1] == S.SUBMITTED), None)
        in_submission = plan.status in {S.SUBMITTED_TO_SCHOOL, S.APPROVED, S.TERMINATED}
        app = Application(
            student=student,
            term=term,
            status=plan.status,
            wants_noon=rng.random() < 0.7,
            wants_after_school=True,
            wants_featured_day=rng.random() < 0.8,
            goes_home_alone=alone,
            pickup_name="" if alone else plan.guardian_name,
            pickup_relation="" if alone else plan.relation,
            pickup_mobile="" if alone else plan.mobile,
            health_notes=rng.choice(HEALTH_NOTES),
            emergency_name=plan.guardian_name,
            emergency_mobile=plan.mobile,
            reason=rng.choice(REASONS),
            waiver_requested=hardship,
            waiver_reason=rng.choice(WAIVER_REASONS) if hardship else "",
            on_paper=plan.on_paper,
            created_by_id=family_user,
            created_at=created,
            updated_at=last_at or created,
            submitted_at=submitted_at,
            last_reason=next((e[2] for e in reversed(plan.events) if e[2]), ""),
            class_submission=subs[(c.pk, term.pk)] if in_submission else None,
        )
        wanted_apps.append(app)
        app_plans.append(plan)
    # The one declined waiver, asked by a family that is not in the
    # priority group (the school checked and found no hardship).
    for app, plan in zip(wanted_apps, app_plans, strict=True):
        c = app.student.school_class
        if (
            (c.grade, c.number) == DECLINED_WAIVER_CLASS
            and app.status == S.APPROVED
            and not app.student.is_financial_hardship
        ):
            app.waiver_requested = True
            app.waiver_reason = "孩子父亲今年失业，家里经济紧张。"
            plan.waiver = WaiverStatus.DECLINED
            break
    apps = _sync(
        Application,
        Application.objects.filter(term=term).select_related(
            "student__school", "student__school_class", "term"
        ),
        wanted_apps,
        key=("student_id", "term_id"),
        fields=(
            "status",
            *(f.name for f in Application._meta.fields if f.name.startswith("wants_")),
            "goes_home_alone",
            "pickup_name",
            "pickup_relation",
            "pickup_mobile",
            "health_notes",
            "emergency_name",
            "emergency_mobile",
            "reason",
            "waiver_requested",
            "waiver_reason",
            "on_paper",
            "created_by",
            "created_at",
            "updated_at",
            "submitted_at",
            "last_reason",
            "class_submission",
        ),
    )
    saved = [apps[(a.student_id, term.pk)] for a in wanted_apps]

    _sync(
        ApplicationEvent,
        ApplicationEvent.objects.filter(application__term=term),
        [
            ApplicationEvent(
                application=app, from_status=frm, to_status=to, by_id=by, at=at, reason=reason
            )
            for app, plan in zip(saved, app_plans, strict=True)
            for frm, to, reason, by, at in plan.events
        ],
        key=("application_id", "to_status", "at"),
        fields=("from_status", "by", "reason"),
    )

    # --- waivers: decided by the school once the class reached it
    wanted_waivers = []
    for app, plan in zip(saved, app_plans, strict=True):
        if not app.waiver_requested:
            continue
        status = plan.waiver
        if status is None:
            status = (
                WaiverStatus.APPROVED
                if app.status in {S.APPROVED, S.SUBMITTED_TO_SCHOOL, S.TERMINATED}
                else WaiverStatus.PENDING
            )
        decided = status != WaiverStatus.PENDING
        wanted_waivers.append(
            WaiverRequest(
                application=app,
                reason=app.waiver_reason,
                status=status,
                decision_reason=DECLINE_REASON if status == WaiverStatus.DECLINED else "",
                decided_by=admin if decided else None,
                decided_at=_at(_day(8, 30), 480) if decided else None,
                created_at=app.submitted_at or app.created_at,
            )
        )
    waivers = _sync(
        WaiverRequest,
        WaiverRequest.objects.filter(application__term=term),
        wanted_waivers,
        key=("application_id",),
        fields=("reason", "status", "decision_reason", "decided_by", "decided_at", "created_at"),
    )

    # --- agreements: most approved families signed online, some on paper
    body = Template(template.body)
    wanted_agreements = []
    for app, plan in zip(saved, app_plans, strict=True):
        if app.status not in {S.APPROVED, S.WITHDRAWN, S.TERMINATED}:
            continue
        approved_at = next((e[4] for e in plan.events if e[1] == S.APPROVED), None)
        if approved_at is None:
            continue
        rng = random.Random(f"{SEED}:enrollment:sign:{app.student.student_number}")
        kind = plan.agreement
        if kind is None:
            draw = rng.random()
            kind = "online" if draw < 0.65 else "paper" if draw < 0.8 else "none"
        if kind == "none":
            continue
        at = approved_at + datetime.timedelta(hours=rng.randrange(10, 24 * 7))
        Application.waiver.related.set_cached_value(app, waivers.get((app.pk,)))
        online = kind == "online"
        context = agreement_context(
            application=app,
            guardian_name=plan.guardian_name,
            signature=plan.guardian_name if online else "",
            signed_on=at.astimezone(TZ).date() if online else None,
        )
        c = app.student.school_class
        teacher = demo.staff[homeroom_username(c.grade, c.number)]
        wanted_agreements.append(
            Agreement(
                application=app,
                template=template,
                template_version=template.version,
                text=body.render(Context(context, autoescape=False)).strip() + "\n",
                signed_name=plan.guardian_name if online else "",
                consent=online,
                signed_by_id=plan.guardian_user_id if online else None,
                signed_at=at if online else None,
                ip=f"10.{c.grade}.{rng.randrange(256)}.{rng.randrange(1, 255)}" if online else None,
                paper_received_by=None if online else teacher,
                paper_received_at=None if online else at,
            )
        )
    _sync(
        Agreement,
        Agreement.objects.filter(application__term=term),
        wanted_agreements,
        key=("application_id",),
        fields=(
            "template",
            "template_version",
            "text",
            "signed_name",
            "consent",
            "signed_by",
            "signed_at",
            "ip",
            "paper_received_by",
            "paper_received_at",
        ),
    )

    # --- survey answers and opt-outs
    wanted_responses, wanted_opt_outs = [], []
    for plan in plans:
        if plan.answer is None:
            continue
        student = plan.student
        c = student.school_class
        rng = random.Random(f"{SEED}:enrollment:survey:{student.student_number}")
        teacher = demo.staff[homeroom_username(c.grade, c.number)]
        at = _at(_day(8, 19) + datetime.timedelta(days=rng.randrange(4)), rng.randrange(700))
        joins = plan.answer != SurveyAnswer.DECLINE
        wanted_responses.append(
            SurveyResponse(
                survey=survey,
                student=student,
                answer=plan.answer,
                wants_noon=joins and rng.random() < 0.7,
                wants_after_school=joins,
                wants_featured_day=joins and rng.random() < 0.8,
                recorded_by_id=teacher.pk if plan.on_paper else plan.guardian_user_id,
                on_paper=plan.on_paper,
                created_at=at,
                updated_at=at,
            )
        )
        if plan.opt_out:
            wanted_opt_outs.append(
                OptOut(
                    student=student,
                    term=term,
                    declared_by_id=plan.guardian_user_id or teacher.pk,
                    declared_at=at + datetime.timedelta(days=2),
                    statement=opt_out_statement(term=term, student=student),
                    on_paper=plan.guardian_user_id is None,
                )
            )
    _sync(
        SurveyResponse,
        SurveyResponse.objects.filter(survey=survey),
        wanted_responses,
        key=("survey_id", "student_id"),
        fields=(
            "answer",
            "wants_noon",
            "wants_after_school",
            "wants_featured_day",
            "recorded_by",
            "on_paper",
            "created_at",
            "updated_at",
        ),
    )
    _sync(
        OptOut,
        OptOut.objects.filter(term=term, revoked_at__isnull=True),
        wanted_opt_outs,
        key=("student_id", "term_id"),
        fields=("declared_by", "declared_at", "statement", "on_paper"),
    )
