"""Agreement rules (STYLE.md §1): the school's versioned 《课后服务协议书》
template, online signing and paper receipt (seed 一.5 (3)/(4)). Signed text
is rendered once and frozen in ``Agreement.text``."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.access import is_admin_of
from afterschool.audit import audited
from afterschool.models import School, User
from afterschool.selectors import year_class_annotations
from enrollment.access import STAFF_REVIEW
from enrollment.agreements.selectors import guardian_record_for
from enrollment.agreements.texts import (
    DEFAULT_BODY,
    agreement_context,
    agreement_render,
    template_body_validate,
)
from enrollment.models import Agreement, AgreementTemplate, Application, Status


@transaction.atomic
def agreement_template_current(*, school: School) -> AgreementTemplate:
    """The school's latest agreement template; version 1 with the default
    body (seed 一.2/一.4/一.7, 二) is created on first use."""
    template = AgreementTemplate.objects.filter(school=school).order_by("-version").first()
    if template is None:
        template, _created = AgreementTemplate.objects.get_or_create(
            school=school, version=1, defaults={"body": DEFAULT_BODY}
        )
    return template


@transaction.atomic
def agreement_template_save(*, school: School, body: str, by: User) -> AgreementTemplate:
    """Save an edited agreement text as the next version; earlier versions
    stay untouched (signed agreements point at them). Raises
    ``ValidationError`` when the body is not a valid template, ``by`` is not
    an admin of the school, or nothing changed."""
    if not is_admin_of(by, school.pk):
        raise ValidationError(_("只有本校管理员可以修改协议书模板。"))
    body = body.replace("\r\n", "\n")
    template_body_validate(body)
    School.objects.select_for_update().get(pk=school.pk)
    current = agreement_template_current(school=school)
    if current.body == body:
        raise ValidationError(_("协议内容没有变化，未保存新版本。"))
    template = AgreementTemplate(
        school=school, version=current.version + 1, body=body, created_by=by
    )
    audited(template, by).save()
    return template


def _normalise_name(name: str) -> str:
    return "".join(name.split()).replace("\u3000", "")


def _check_signature(*, signed_name: str, consent: bool, guardian_name: str) -> None:
    """Raise ``ValidationError`` per field when the typed name is not the
    guardian's (spaces ignored) or consent is not ticked."""
    errors = {}
    if _normalise_name(signed_name) != _normalise_name(guardian_name):
        errors["signed_name"] = _("签名须与学校登记的家长姓名一致，请输入您的完整姓名。")
    if not consent:
        errors["consent"] = _("请阅读协议并勾选同意。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def agreement_sign(
    *,
    application: Application,
    by: User,
    signed_name: str,
    consent: bool,
    ip: str | None,
    today: datetime.date | None = None,
) -> Agreement:
    """The guardian signs the 《课后服务协议书》 online after school approval
    (seed 一.5 (3)/(4)). ``signed_name`` must equal the guardian record's
    name (spaces ignored), ``consent`` must be ticked. The current template
    is rendered and frozen with its version, the time and ``ip``.

    Raises ``ValidationError`` when the application is not approved, it is
    already signed, ``by`` is not a guardian of the student, the name does
    not match, or consent is missing. Writes nothing then.
    """
    app = (
        Application.objects.select_for_update()
        .annotate(**year_class_annotations(student="student", school_year="term__school_year"))
        .select_related("student__school", "student__school_class", "term")
        .get(pk=application.pk)
    )
    if app.status != Status.APPROVED:
        raise ValidationError(_("学校批准申请后才能签署协议书。"))
    if Agreement.objects.filter(application=app).exists():
        raise ValidationError(_("协议书已签署，不能重复签署。"))
    guardian = guardian_record_for(user=by, student=app.student)
    if guardian is None:
        raise ValidationError(_("只有该学生的家长可以签署协议书。"))
    _check_signature(signed_name=signed_name, consent=consent, guardian_name=guardian.name)
    template = agreement_template_current(school=app.student.school)
    now = timezone.now()
    text = agreement_render(
        body=template.body,
        context=agreement_context(
            application=app,
            guardian_name=guardian.name,
            signature=guardian.name,
            signed_on=today or timezone.localdate(now),
        ),
    )
    agreement = Agreement(
        application=app,
        template=template,
        template_version=template.version,
        text=text,
        signed_name=guardian.name,
        consent=True,
        signed_by=by,
        signed_at=now,
        ip=ip,
    )
    audited(agreement, by).save()
    return agreement


@transaction.atomic
def agreement_mark_paper_received(*, application: Application, by: User) -> Agreement:
    """A school collecting paper signatures marks the signed paper agreement
    as received; the current template text is frozen as printed, with the
    first guardian on record as 乙方. Raises ``ValidationError`` unless the
    application is approved, not yet signed, and ``by`` is staff of the school.
    """
    app = (
        Application.objects.select_for_update()
        .annotate(**year_class_annotations(student="student", school_year="term__school_year"))
        .select_related("student__school", "student__school_class", "term")
        .get(pk=application.pk)
    )
    if not (by.is_staff_member and by.school_id == app.student.school_id) or by.role not in (
        STAFF_REVIEW
    ):
        raise ValidationError(_("只有班主任或学校管理员可以登记纸质协议书。"))
    if app.status != Status.APPROVED:
        raise ValidationError(_("学校批准申请后才能登记协议书。"))
    if Agreement.objects.filter(application=app).exists():
        raise ValidationError(_("协议书已签署或已登记。"))
    guardian = app.student.guardians.order_by("pk").first()
    template = agreement_template_current(school=app.student.school)
    now = timezone.now()
    text = agreement_render(
        body=template.body,
        context=agreement_context(
            application=app, guardian_name=guardian.name if guardian else "________"
        ),
    )
    agreement = Agreement(
        application=app,
        template=template,
        template_version=template.version,
        text=text,
        paper_received_by=by,
        paper_received_at=now,
    )
    audited(agreement, by).save()
    return agreement
