"""What waits for each person: the to-do lists at the top of the home pages.

One function per role returns ``Todo`` items in the order they matter, each
with a count, a Chinese label, the page that resolves it and, where useful,
the names behind the count (classes that have not submitted, what blocks a
class list). Each kind is one query (a few kinds share one), so a page's
query count does not grow with the rows; tests pin the counts at two sizes.
Rule source: DESIGN.md 「Telling people」 (product).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from afterschool.access import classes_for_user, students_for_user
from afterschool.models import Notice, NoticeKind, School, SchoolClass, Student, Term, User
from afterschool.selectors import pick_current_term, year_class_annotations
from billing.models import FeeStatement
from billing.statements.selectors import with_paid
from enrollment.models import (
    Application,
    ClassSubmission,
    PrintJob,
    PrintJobStatus,
    Status,
    Survey,
    SurveyResponse,
    WaiverStatus,
)
from enrollment.waivers.selectors import decidable_waivers
from scheduling.attendance.selectors import is_featured_after_school
from scheduling.calendar.days import term_schedule, unknown_years
from scheduling.calendar.selectors import schedule_breaches
from scheduling.models import (
    Allocation,
    AllocationState,
    Attendance,
    AttendanceStatus,
    ChoiceWindow,
    Club,
    ClubChoice,
    Dismissal,
    LeaveRequest,
    LeaveStatus,
    Period,
    ServiceChange,
    ServiceChangeKind,
    Session,
    WindowScope,
)

# The placeholder the county's fee document number carries until the school
# types the real one (seed 一.7's 「X教发【2024】X号」).
FEE_DOCUMENT_PLACEHOLDER_MARK = "X号"
# A decision or result stays on the guardian's list this many days.
RECENT_DAYS = 7
# The admin sees unknown calendar days this far ahead.
CALENDAR_LOOKAHEAD_DAYS = 28


@dataclass
class Todo:
    """One line of a to-do list: ``count`` things of ``key`` waiting."""

    key: str
    label: str
    count: int
    url: str
    detail: str = ""
    names: list[str] = field(default_factory=list)
    urgent: bool = False


def _signed() -> Q:
    return Q(agreement__signed_at__isnull=False) | Q(agreement__paper_received_at__isnull=False)


def _unsigned_agreements(qs):
    return qs.filter(status=Status.APPROVED).exclude(_signed())


# ----------------------------------------------------------------- guardian


def guardian_todos(*, user: User, now: datetime.datetime | None = None) -> list[Todo]:
    """A guardian's to-dos for their children in each child's current term.
    Queries: children; terms; agreements; returned applications; open
    surveys; survey answers; choice windows (and, while one is open, who
    takes the featured day and has saved choices); published allocations;
    leave decided; arrears (10–11, whatever the number of children).

    「社团选课进行中」 counts the children still to choose in an open window:
    once a child's choices are saved it leaves the count (the detail says
    「已提交，截止前可修改」 while a sibling still has to choose), and the
    to-do goes when none is left. 「社团分配结果已公布」 counts the children
    placed by a run published in the last ``RECENT_DAYS`` days whose result
    the guardian has not seen: it clears for a child once the guardian opens
    the result's notice or the child's club page, and after the week in any
    case."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    children = list(students_for_user(user).order_by("name"))
    if not children:
        return _unread(user)
    by_school: dict[int, list[Term]] = {}
    for t in Term.objects.filter(school__in={c.school_id for c in children}).order_by("first_day"):
        by_school.setdefault(t.school_id, []).append(t)
    terms = {sid: pick_current_term(ts, today=today) for sid, ts in by_school.items()}
    term_ids = [t.pk for t in terms.values() if t]
    ids = [c.pk for c in children]
    names = {c.pk: c.name for c in children}
    family = reverse("enrollment:family")
    items: list[Todo] = []

    apps = Application.objects.filter(student_id__in=ids, term_id__in=term_ids)
    unsigned = list(_unsigned_agreements(apps).values_list("pk", "student_id"))
    if unsigned:
        items.append(
            Todo(
                "agreement",
                _("协议书待签署"),
                len(unsigned),
                reverse("enrollment:agreement-sign", args=[unsigned[0][0]])
                if len(unsigned) == 1
                else family,
                names=[names[s] for _pk, s in unsigned],
                urgent=True,
            )
        )
    returned = list(apps.filter(status=Status.RETURNED).values_list("student_id", "last_reason"))
    if returned:
        items.append(
            Todo(
                "returned",
                _("申请被退回，请修改后重新提交"),
                len(returned),
                family,
                detail="；".join(f"{names[s]}：{r}" for s, r in returned if r),
                names=[names[s] for s, _r in returned],
                urgent=True,
            )
        )
    surveys = {
        s.pk: s.school_id
        for s in Survey.objects.filter(term_id__in=term_ids, closed_at__isnull=True)
    }
    if surveys:
        answered = set(
            SurveyResponse.objects.filter(survey_id__in=surveys, student_id__in=ids).values_list(
                "student_id", flat=True
            )
        )
        open_schools = set(surveys.values())
        waiting = [c for c in children if c.school_id in open_schools and c.pk not in answered]
        if waiting:
            items.append(
                Todo(
                    "survey",
                    _("课后服务意向调查待填写"),
                    len(waiting),
                    family,
                    names=[c.name for c in waiting],
                )
            )
    windows = list(
        ChoiceWindow.objects.filter(term_id__in=term_ids, opens_at__lte=now, closes_at__gt=now)
    )
    # Only a child taking the featured day chooses a club (one query, when a
    # window is open), by its class and grade in the term's school year
    # (after a rollover the latest class is next year's).
    # With whether the child's choices are saved already (same query).
    featured = (
        {
            (sid, tid): (class_id, grade, chosen)
            for sid, tid, class_id, grade, chosen in Application.objects.filter(
                student_id__in=ids,
                term_id__in=term_ids,
                status=Status.APPROVED,
                wants_featured_day=True,
            )
            .annotate(
                **year_class_annotations(student="student", school_year="term__school_year"),
                chosen=Exists(
                    ClubChoice.objects.filter(
                        student_id=OuterRef("student_id"), term_id=OuterRef("term_id")
                    )
                ),
            )
            .values_list("student_id", "term_id", "year_class_id", "year_class_grade", "chosen")
        }
        if windows
        else {}
    )
    choosing, submitted = [], []
    for c in children:
        for w in windows:
            if (c.pk, w.term_id) not in featured:
                continue
            class_id, grade, chosen = featured[(c.pk, w.term_id)]
            if (
                w.scope == WindowScope.SCHOOL
                or (w.scope == WindowScope.GRADE and w.grade == grade)
                or (w.scope == WindowScope.CLASS and w.school_class_id == class_id)
            ):
                (submitted if chosen else choosing).append((c, w))
                break
    if choosing:
        until = min(w.closes_at for _c, w in choosing)
        detail = _("截止：%(when)s") % {
            "when": date_format(timezone.localtime(until), "n月j日 H:i")
        }
        if submitted:
            detail += _("；%(names)s已提交，截止前可修改") % {
                "names": "、".join(c.name for c, _w in submitted)
            }
        items.append(
            Todo(
                "choice",
                _("社团选课进行中"),
                len(choosing),
                reverse("scheduling:club-choose", args=[choosing[0][0].pk]),
                detail=detail,
                names=[c.name for c, _w in choosing],
            )
        )
    since = now - datetime.timedelta(days=RECENT_DAYS)
    # A result waits until the guardian has seen it: their notice of it
    # (allocation_notice_key) still unread. Opening the notice or the
    # child's club page marks it read (allocation_result_seen).
    result_notice = Notice.objects.filter(
        recipient=user,
        kind=NoticeKind.ALLOCATION_PUBLISHED,
        read_at__isnull=True,
        dedupe_key=Concat(
            Value("allocation:"),
            Cast(OuterRef("run_id"), CharField()),
            Value(":"),
            Cast(OuterRef("club_id"), CharField()),
            output_field=CharField(),
        ),
    )
    placed = list(
        Allocation.objects.filter(
            Exists(result_notice),
            student_id__in=ids,
            run__term_id__in=term_ids,
            run__published_at__gte=since,
            state=AllocationState.PLACED,
        ).values_list("student_id", "club__name")
    )
    if placed:
        items.append(
            Todo(
                "allocation",
                _("社团分配结果已公布"),
                len(placed),
                reverse("scheduling:club-choose-index"),
                detail="；".join(f"{names[s]}：{club}" for s, club in placed),
            )
        )
    decided = list(
        LeaveRequest.objects.filter(
            student_id__in=ids,
            status__in=[LeaveStatus.APPROVED, LeaveStatus.DECLINED],
            decided_at__gte=since,
        ).values_list("student_id", "status")
    )
    if decided:
        items.append(
            Todo(
                "leave",
                _("请假已审批"),
                len(decided),
                reverse("scheduling:leave-list"),
                detail="；".join(f"{names[s]}：{LeaveStatus(st).label}" for s, st in decided),
            )
        )
    owed = with_paid(FeeStatement.objects.filter(student_id__in=ids)).filter(total__gt=F("paid"))
    n_owed = owed.count()
    if n_owed:
        items.append(
            Todo("arrears", _("课后服务费待缴"), n_owed, reverse("billing:family"), urgent=True)
        )
    return items + _unread(user)


def _unread(user: User) -> list[Todo]:
    # The counter lives on the user row: no query.
    if not user.unread_notices:
        return []
    return [Todo("unread", _("未读通知"), user.unread_notices, reverse("notices:inbox"))]


# ----------------------------------------------------------------- homeroom


def _rolls_due(sessions, now: datetime.datetime) -> list[Session]:
    """Sessions whose period has begun and whose roll has no mark."""
    out = []
    for s in sessions:
        schedule = getattr(s.term, "schedule", None)
        start = (
            (schedule.noon_start if s.period == Period.NOON else schedule.after_start)
            if schedule
            else (datetime.time(13, 0) if s.period == Period.NOON else datetime.time(17, 20))
        )
        begins = timezone.make_aware(datetime.datetime.combine(s.date, start))
        if not s.marked and now >= begins:
            out.append(s)
    return out


def homeroom_todos(*, user: User, now: datetime.datetime | None = None) -> list[Todo]:
    """A homeroom teacher's to-dos for the classes they lead in the current
    term. Queries: term; classes with their counts (awaiting review,
    returned, submitted); students blocking the list; today's sessions;
    leave to decide; children not yet collected, once the after-school
    period has ended (6 in all; 5 before that end)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    term = pick_current_term(
        Term.objects.filter(school_id=user.school_id)
        .select_related("schedule")
        .order_by("first_day"),
        today=today,
    )
    if term is None:
        return _unread(user)
    classes = list(
        classes_for_user(user)
        .filter(school_year_id=term.school_year_id)
        .annotate(
            # The class's children of its year (memberships), not those
            # whose latest class it is: a rollover moves that pointer on.
            awaiting=Count(
                "memberships__student__applications",
                filter=Q(
                    memberships__student__applications__term=term,
                    memberships__student__applications__status=Status.SUBMITTED,
                ),
            ),
            returned=Count(
                "memberships__student__applications",
                filter=Q(
                    memberships__student__applications__term=term,
                    memberships__student__applications__status=Status.RETURNED,
                ),
            ),
            submitted=Exists(
                ClassSubmission.objects.filter(school_class=OuterRef("pk"), term=term)
            ),
        )
        .order_by("grade", "number")
    )
    items: list[Todo] = []
    for c in classes:
        if c.awaiting:
            items.append(
                Todo(
                    "review",
                    _("%(c)s：申请待审核") % {"c": c.display_name},
                    c.awaiting,
                    reverse("enrollment:class-review", args=[c.pk]),
                    urgent=True,
                )
            )
    for c in classes:
        if c.returned:
            items.append(
                Todo(
                    "returned",
                    _("%(c)s：已退回、家长尚未重新提交") % {"c": c.display_name},
                    c.returned,
                    reverse("enrollment:class-review", args=[c.pk]),
                )
            )
    open_classes = [c for c in classes if not c.submitted]
    if open_classes:
        blocking = list(
            Student.objects.filter(memberships__school_class__in=open_classes)
            .exclude(applications__term=term, applications__status__in=_NOT_DRAFT)
            .exclude(opt_outs__term=term, opt_outs__revoked_at__isnull=True)
            .values_list("memberships__school_class_id", "name")
            .order_by("name")
        )
        for c in open_classes:
            who = [n for cid, n in blocking if cid == c.pk]
            items.append(
                Todo(
                    "class_list",
                    _("%(c)s：名单尚未上报学校") % {"c": c.display_name},
                    len(who),
                    reverse("enrollment:class-review", args=[c.pk]),
                    detail=_("尚未申请或放弃：%(n)d 人") % {"n": len(who)}
                    if who
                    else _("可以上报"),
                    names=who[:10],
                )
            )
    sessions = _today_sessions(
        Session.objects.filter(Q(supervisor=user) | Q(school_class__homeroom_teacher=user)), today
    )
    due = _rolls_due(sessions, now)
    if due:
        items.append(
            Todo(
                "roll",
                _("今天的点名尚未完成"),
                len(due),
                reverse("scheduling:roll-index"),
                names=[f"{s.school_class.display_name} {s.get_period_display()}" for s in due],
                urgent=True,
            )
        )
    leave = LeaveRequest.objects.filter(
        student__school_class__in=classes, status=LeaveStatus.REQUESTED
    ).count()
    if leave:
        items.append(Todo("leave", _("请假待审批"), leave, reverse("scheduling:leave-list")))
    waiting = _not_collected(term=term, classes=classes, now=now)
    if waiting:
        items.append(
            Todo(
                "dismissal",
                _("今天尚未接走的孩子"),
                waiting,
                reverse("scheduling:dismissal-index"),
            )
        )
    return items + _unread(user)


_NOT_DRAFT = [s for s in Status.values if s != Status.DRAFT]


def _today_sessions(qs, today: datetime.date) -> list[Session]:
    return list(
        qs.filter(date=today)
        .select_related("school_class", "term__schedule")
        .annotate(marked=Count("attendances"))
        .order_by("period", "school_class__grade", "school_class__number")
    )


def _not_collected(*, term: Term, classes, now: datetime.datetime) -> int:
    """Children staying for the after-school period today with no dismissal
    yet, not boarders, not on approved leave, not marked absent, counted
    only once their last session of the day is over: the after-school
    period, whose end is the term's period time (``TermSchedule.after_end``,
    seed 一.2 18:10), on a day their class has a session and the school has
    not suspended. On the featured day with clubs after school, children
    who stay only for their club count too (as on the dismissal sheet,
    ``scheduling.attendance.selectors.dismissal_sheet``). Before that end:
    no query; after it: one, and on a school whose clubs meet after school
    the calendar's (≤3) to tell the featured day."""
    today = timezone.localtime(now).date()
    _start, end = term_schedule(term).period_times(Period.AFTER_SCHOOL)
    if now < timezone.make_aware(datetime.datetime.combine(today, end)):
        return 0
    part = Q(wants_after_school=True)
    if is_featured_after_school(term, today):
        part |= Q(wants_featured_day=True)
    student = OuterRef("student_id")
    return (
        Application.objects.filter(
            part,
            term=term,
            status=Status.APPROVED,
            student__memberships__school_class__in=classes,
            student__is_boarder=False,
        )
        .filter(
            # A session today of the student's class in the term's year.
            Exists(
                Session.objects.filter(
                    term=term, date=today, school_class__memberships__student_id=student
                )
            )
        )
        .exclude(
            Exists(
                ServiceChange.objects.filter(
                    school_id=term.school_id, date=today, kind=ServiceChangeKind.SUSPENDED
                )
            )
        )
        .exclude(Exists(Dismissal.objects.filter(student_id=student, date=today)))
        .exclude(
            Exists(
                LeaveRequest.objects.filter(
                    student_id=student,
                    status=LeaveStatus.APPROVED,
                    first_day__lte=today,
                    last_day__gte=today,
                )
            )
        )
        .exclude(
            Exists(
                Attendance.objects.filter(
                    student_id=student,
                    date=today,
                    period=Period.AFTER_SCHOOL,
                    status=AttendanceStatus.ABSENT,
                )
            )
        )
        .count()
    )


# ----------------------------------------------------------------- admin


def fee_document_is_placeholder(school: School) -> bool:
    """The school's fee document number is empty or still the placeholder
    (X教发【2024】X号), which would be printed on agreements and fee sheets.
    Only the placeholder's number part counts: a real county's name may
    well start with X (XX县教发【2026】12号 in the demo)."""
    doc = (school.fee_document or "").strip()
    return not doc or FEE_DOCUMENT_PLACEHOLDER_MARK in doc


def admin_todos(*, user: User, now: datetime.datetime | None = None) -> list[Todo]:
    """A school admin's to-dos for the current term. Queries: term; classes
    not submitted; submissions to approve; waiver requests; unsigned
    agreements; print jobs finished; arrears; calendar years entered (only
    when a coming day is outside the holiday package); sessions today
    without a supervisor (8 or 9)."""
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
    term = pick_current_term(
        Term.objects.filter(school=school).select_related("schedule").order_by("first_day"),
        today=today,
    )
    if term is None:
        return items + _unread(user)
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
    to_approve = ClassSubmission.objects.filter(
        school_class__school=school, term=term, approved_at__isnull=True
    ).count()
    if to_approve:
        items.append(
            Todo(
                "submissions",
                _("各班上报待学校审核"),
                to_approve,
                reverse("enrollment:submissions"),
                urgent=True,
            )
        )
    waivers = (
        decidable_waivers(school_id=school.pk, term=term)
        .filter(status=WaiverStatus.PENDING)
        .count()
    )
    if waivers:
        items.append(Todo("waivers", _("减免申请待审核"), waivers, reverse("enrollment:waivers")))
    unsigned = _unsigned_agreements(Application.objects.filter(term=term)).count()
    if unsigned:
        items.append(
            Todo(
                "unsigned",
                _("已批准但协议书未签署"),
                unsigned,
                reverse("enrollment:agreements-print"),
            )
        )
    jobs = PrintJob.objects.filter(
        school=school,
        status=PrintJobStatus.DONE,
        finished_at__gte=now - datetime.timedelta(days=3),
    ).count()
    if jobs:
        items.append(
            Todo("print_jobs", _("协议书打印已完成"), jobs, reverse("enrollment:agreements-print"))
        )
    # Students, as the statements page's 欠费人数 counts them (a family owing
    # for three months is one family to call, not three).
    arrears = (
        with_paid(FeeStatement.objects.filter(school=school, term=term))
        .filter(total__gt=F("paid"))
        .values("student_id")
        .distinct()
        .count()
    )
    if arrears:
        items.append(
            Todo(
                "arrears",
                _("欠费学生"),
                arrears,
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
    return items + _unread(user)


# ----------------------------------------------------------------- teacher / volunteer


def staff_todos(*, user: User, now: datetime.datetime | None = None) -> list[Todo]:
    """A teacher's or volunteer's day: the sessions they supervise today
    with their rolls, and the clubs they lead meeting today. Queries:
    sessions; clubs with today's marks (2)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    sessions = _today_sessions(Session.objects.filter(supervisor=user), today)
    items = [
        Todo(
            "session",
            f"{s.school_class.display_name} {s.get_period_display()}",
            0 if s.marked else 1,
            reverse("scheduling:roll", args=[s.pk]),
            detail=_("已点名") if s.marked else _("待点名"),
            urgent=not s.marked and s in _rolls_due([s], now),
        )
        for s in sessions
    ]
    clubs = Club.objects.filter(
        teacher=user, weekday=today.weekday(), term__first_day__lte=today, term__last_day__gte=today
    ).annotate(marked=Count("attendances", filter=Q(attendances__date=today)))
    for c in clubs:
        items.append(
            Todo(
                "club",
                c.name,
                0 if c.marked else 1,
                reverse("scheduling:club-roll", args=[c.pk]) + f"?date={today.isoformat()}",
                detail=_("已点名") if c.marked else _("待点名"),
            )
        )
    return items + _unread(user)
