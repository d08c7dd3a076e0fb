"""Waiver rules (STYLE.md §1): the request follows the submitted form; the
school decides (seed 一.7: 对家庭困难子女免收)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.access import is_admin_of
from afterschool.audit import audited
from afterschool.dates import month_day
from afterschool.models import NoticeKind, User
from afterschool.notices.services import notify_guardians_of_students
from enrollment.models import Application, WaiverRequest, WaiverStatus
from enrollment.waivers.selectors import UNDECIDABLE_APPLICATION_STATUSES, waiver_start


def waiver_sync(*, application: Application) -> None:
    """Keep the waiver request in step with a submitted form: create or
    update a pending one; drop a pending one the family no longer asks for.
    A decided one stays as decided. Called by ``application_submit``."""
    existing = WaiverRequest.objects.filter(application=application).first()
    if application.waiver_requested:
        if existing is None:
            WaiverRequest.objects.create(application=application, reason=application.waiver_reason)
        elif existing.status == WaiverStatus.PENDING:
            existing.reason = application.waiver_reason
            existing.save(update_fields=["reason"])
    elif existing is not None and existing.status == WaiverStatus.PENDING:
        existing.delete()


@transaction.atomic
def waiver_decide(
    *,
    waiver: WaiverRequest,
    approve: bool,
    by: User,
    reason: str = "",
    effective_from: datetime.date | None = None,
) -> WaiverRequest:
    """The school decides a fee waiver (seed 一.7: 对家庭困难子女免收). Every
    decision needs ``reason`` (审核意见: what was checked, or why not),
    whichever page or script calls this. An approval applies from
    ``effective_from`` — by default the day the guardian asked
    (``enrollment.waivers.selectors.waiver_start``), not the term's first
    day; a date before the term means its first day; billing charges the
    days before it. A decision can be changed; the
    latest one counts and is what billing reads
    (``enrollment.waivers.selectors.approved_waiver_for``).

    Raises ``ValidationError`` when ``by`` is not an admin of the student's
    school, the application is a draft or withdrawn, the reason is blank, or
    the effective date is after the term's last day (the waiver would never
    apply).
    """
    waiver = (
        WaiverRequest.objects.select_for_update()
        .select_related("application__student", "application__term")
        .get(pk=waiver.pk)
    )
    if not is_admin_of(by, waiver.application.student.school_id):
        raise ValidationError(_("只有学校管理员可以审核减免申请。"))
    if waiver.application.status in UNDECIDABLE_APPLICATION_STATUSES:
        raise ValidationError(_("该申请未提交或已退出，不能审核减免。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {
                "reason": _("同意减免时必须填写审核意见（如核实了哪些困难证明）。")
                if approve
                else _("不予减免时必须填写理由。")
            }
        )
    term = waiver.application.term
    if approve:
        effective_from = max(effective_from or waiver_start(waiver), term.first_day)
        if effective_from > term.last_day:
            raise ValidationError(
                {
                    "effective_from": _("减免生效日期不能晚于本学期最后一天（%(day)s）。")
                    % {"day": f"{term.last_day.year}年{month_day(term.last_day)}"}
                }
            )
    else:
        effective_from = None
    waiver.effective_from = effective_from
    waiver.status = WaiverStatus.APPROVED if approve else WaiverStatus.DECLINED
    waiver.decision_reason = reason
    waiver.decided_by = by
    waiver.decided_at = timezone.now()
    audited(waiver, by, reason).save()
    student = waiver.application.student
    notify_guardians_of_students(
        school=student.school_id,
        student_ids=[student.pk],
        kind=NoticeKind.WAIVER_DECIDED,
        title=(
            _("%(name)s的课后服务费减免申请已同意")
            if approve
            else _("%(name)s的课后服务费减免申请未通过")
        )
        % {"name": student.name},
        body=(
            _("自%(day)s起免收课后服务费。审核意见：%(reason)s")
            % {"day": f"{effective_from:%Y-%m-%d}", "reason": reason}
            if approve
            else _("审核意见：%(reason)s") % {"reason": reason}
        ),
        link=reverse("billing:family"),
        dedupe_key=f"waiver:{waiver.pk}:{waiver.decided_at.isoformat()}",
    )
    return waiver
