"""A school admin's to-dos (``admin_todos``), re-exported by ``overview.todo.selectors``."""

from __future__ import annotations

import datetime
from types import EllipsisType

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.expressions import CountOf
from afterschool.models import School, SchoolClass, Term, User
from billing.models import FeeStatement
from billing.statements.selectors import with_paid
from enrollment.models import (
    Application,
    ClassSubmission,
    PrintJob,
    PrintJobStatus,
    WaiverStatus,
)
from enrollment.waivers.selectors import decidable_waivers
from overview.todo.items import (
    CALENDAR_LOOKAHEAD_DAYS,
    FEE_DOCUMENT_PLACEHOLDER_MARK,
    Todo,
    todo_term,
    unread_todos,
    unsigned_agreements,
)
from scheduling.calendar.days import term_schedule, unknown_years
from scheduling.calendar.selectors import schedule_breaches
from scheduling.models import (
    Session,
)


def fee_document_is_placeholder(school: School) -> bool:
    """The school's fee document number is empty or still the placeholder
    (X教发【2024】X号), which would be printed on agreements and fee sheets.
    Only the placeholder's number part counts: a real county's name may
    well start with X (XX县教发【2026】12号 in the demo)."""
    doc = (school.fee_document or "").strip()
    return not doc or FEE_DOCUMENT_PLACEHOLDER_MARK in doc


def admin_todos(
    *,
    user: User,
    now: datetime.datetime | None = None,
    term: Term | None | EllipsisType = ...,
) -> list[Todo]:
    """A school admin's to-dos for the current term. ``term``: the current
    term as ``todo_term`` gives it (``None``: the school has none), when the
    caller has looked it up already; otherwise it is looked up here.
    Queries: term (unless given); classes not submitted; one query of
    counts (submissions to approve, waiver requests, unsigned agreements,
    print jobs finished, students in arrears); calendar years entered (only
    when a coming day is outside the holiday package); sessions today
    without a supervisor (4 or 5, with the term; 1 without a term)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    school = user.school
    items: list[Todo] = []
    if fee_document_is_placeholder(school):
        items.append(
            Todo(
                "fee_document",
                _("收费依据文件号仍是占位文字，请填写县里的正式文号"),
                1,
                reverse("billing:policy") + "#fee-document",
                detail=school.fee_document or "",
                urgent=True,
            )
        )
    if term is ...:
        term = todo_term(school_id=school.pk, today=today)
    if term is None:
        return items + unread_todos(user)
    # The term's times against the national rules (2 hours a day, not ending
    # before working hours): the breaches the term settings page lists first.
    breaches = [b for b in schedule_breaches(term_schedule(term)) if b.severity == "danger"]
    if breaches:
        items.append(
            Todo(
                "policy",
                _("课后服务时间不符合政策要求"),
                len(breaches),
                reverse("scheduling:term-settings") + f"?term={term.pk}",
                names=[b.message for b in breaches],
                urgent=True,
            )
        )
    not_submitted = list(
        SchoolClass.objects.filter(school=school, school_year_id=term.school_year_id)
        .exclude(submissions__term=term)
        .order_by("grade", "number")
    )
    if not_submitted:
        items.append(
            Todo(
                "not_submitted",
                _("尚未上报名单的班级"),
                len(not_submitted),
                reverse("enrollment:class-list") + "?status=unsubmitted",
                names=[c.display_name for c in not_submitted],
            )
        )
    counts = (
        School.objects.filter(pk=school.pk)
        .order_by()
        .values(
            to_approve=CountOf(
                ClassSubmission.objects.filter(
                    school_class__school=school, term=term, approved_at__isnull=True
                ).values("pk")
            ),
            waivers=CountOf(
                decidable_waivers(school_id=school.pk, term=term)
                .filter(status=WaiverStatus.PENDING)
                .values("pk")
            ),
            unsigned=CountOf(
                unsigned_agreements(Application.objects.filter(term=term)).values("pk")
            ),
            jobs=CountOf(
                PrintJob.objects.filter(
                    school=school,
                    status=PrintJobStatus.DONE,
                    finished_at__gte=now - datetime.timedelta(days=3),
                ).values("pk")
            ),
            # Students, as the statements page's 欠费人数 counts them (a family
            # owing for three months is one family to call, not three).
            arrears=CountOf(
                with_paid(FeeStatement.objects.filter(school=school, term=term))
                .filter(total__gt=F("paid"))
                .values("student_id")
                .distinct()
            ),
        )
        .get()
    )
    if counts["to_approve"]:
        items.append(
            Todo(
                "submissions",
                _("各班上报待学校审核"),
                counts["to_approve"],
                reverse("enrollment:submissions"),
                urgent=True,
            )
        )
    if counts["waivers"]:
        items.append(
            Todo("waivers", _("减免申请待审核"), counts["waivers"], reverse("enrollment:waivers"))
        )
    if counts["unsigned"]:
        items.append(
            Todo(
                "unsigned",
                _("已批准但协议书未签署"),
                counts["unsigned"],
                reverse("enrollment:agreements-print"),
            )
        )
    if counts["jobs"]:
        items.append(
            Todo(
                "print_jobs",
                _("协议书打印已完成"),
                counts["jobs"],
                reverse("enrollment:agreements-print"),
            )
        )
    if counts["arrears"]:
        items.append(
            Todo(
                "arrears",
                _("欠费学生"),
                counts["arrears"],
                reverse("billing:statements") + f"?term={term.pk}#arrears",
            )
        )
    ahead = today + datetime.timedelta(days=CALENDAR_LOOKAHEAD_DAYS)
    years = unknown_years(school, max(today, term.first_day), min(ahead, term.last_day))
    if years:
        items.append(
            Todo(
                "calendar",
                _("未来几周的节假日尚未录入"),
                len(years),
                reverse("scheduling:calendar"),
                names=[str(y) for y in years],
                urgent=True,
            )
        )
    unsupervised = list(
        Session.objects.filter(term=term, date=today, supervisor__isnull=True)
        .select_related("school_class")
        .order_by("period", "school_class__grade", "school_class__number")
    )
    if unsupervised:
        items.append(
            Todo(
                "unsupervised",
                _("今天没有看护教师的课时"),
                len(unsupervised),
                reverse("scheduling:rota"),
                names=[
                    f"{s.school_class.display_name} {s.get_period_display()}"
                    for s in unsupervised[:10]
                ],
                urgent=True,
            )
        )
    return items + unread_todos(user)
