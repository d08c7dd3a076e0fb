"""A guardian's to-dos (``guardian_todos``), re-exported by ``overview.todo.selectors``."""

from __future__ import annotations

import datetime

from django.db.models import CharField, Exists, F, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from afterschool.access import students_for_user
from afterschool.models import Notice, NoticeKind, Student, Term, User
from afterschool.selectors import pick_current_term, year_class_annotations
from billing.models import FeeStatement
from billing.statements.selectors import with_paid
from enrollment.models import (
    Application,
    Status,
    SurveyResponse,
)
from overview.todo.items import (
    RECENT_DAYS,
    Todo,
    agreement_signed,
    is_unsigned,
    unread_todos,
)
from scheduling.models import (
    Allocation,
    AllocationRun,
    AllocationState,
    ChoiceWindow,
    ClubChoice,
    LeaveRequest,
    LeaveStatus,
    WindowScope,
)


def guardian_todos(
    *,
    user: User,
    now: datetime.datetime | None = None,
    children: list[Student] | None = None,
) -> list[Todo]:
    """A guardian's to-dos for their children in each child's current term.

    ``children``: the guardian's children as ``students_for_user(user)``
    returns them (with class and school), when the caller has them already
    (the home page lists them too); by default they are loaded here.

    Queries: children (unless given); terms, with their survey (a join)
    and whether an allocation run was published this week; when a child has
    a current term, its open choice windows and the children's applications
    in it (agreement signed; while a window is open whether choices are
    saved, and for a grade's or class's window the child's class of the
    term's year): one query decides the agreement, returned and club-choice
    to-dos; the survey answers only while a current term's survey is open;
    the placements only after a run published this week; leave decided;
    arrears. So 3 without a current term, 5 with one and nothing open, at
    most 7, whatever the number of children.

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
    since = now - datetime.timedelta(days=RECENT_DAYS)
    if children is None:
        children = list(students_for_user(user))
    if not children:
        return unread_todos(user)
    # Names are listed alphabetically (the database's collation is C.UTF-8,
    # the same code-point order as Python's).
    children = sorted(children, key=lambda c: c.name)
    by_school: dict[int, list[Term]] = {}
    for t in (
        Term.objects.filter(school_id__in={c.school_id for c in children})
        .only("pk", "school_id", "first_day", "last_day")
        # The term's survey (one-to-one) is a join; an allocation result is
        # looked for only when a run was published this week.
        .annotate(
            survey_pk=F("survey__pk"),
            survey_closed_at=F("survey__closed_at"),
            recent_results=Exists(
                AllocationRun.objects.filter(term=OuterRef("pk"), published_at__gte=since)
            ),
        )
        .order_by("first_day")
    ):
        by_school.setdefault(t.school_id, []).append(t)
    terms = [t for t in (pick_current_term(ts, today=today) for ts in by_school.values()) if t]
    term_ids = [t.pk for t in terms]
    ids = [c.pk for c in children]
    by_id = {c.pk: c for c in children}
    names = {c.pk: c.name for c in children}
    family = reverse("enrollment:family")
    items: list[Todo] = []

    windows = (
        list(
            ChoiceWindow.objects.filter(
                term_id__in=term_ids, opens_at__lte=now, closes_at__gt=now
            ).only("term_id", "scope", "grade", "school_class_id", "closes_at")
        )
        if term_ids
        else []
    )
    # One query for the children's applications in their current terms
    # decides the agreement, returned and club-choice to-dos.
    rows = []
    if term_ids:
        apps = (
            Application.objects.filter(student_id__in=ids, term_id__in=term_ids)
            .annotate(signed=agreement_signed())
            .order_by()
        )
        fields = ["pk", "student_id", "status", "last_reason", "signed"]
        if windows:
            # Only a child taking the featured day chooses a club, and
            # whether its choices are saved already.
            apps = apps.annotate(
                chosen=Exists(
                    ClubChoice.objects.filter(
                        student_id=OuterRef("student_id"), term_id=OuterRef("term_id")
                    )
                )
            )
            fields += ["term_id", "wants_featured_day", "chosen"]
            if any(w.scope != WindowScope.SCHOOL for w in windows):
                # A grade's or class's window goes by the child's class in
                # the term's school year (after a rollover the latest class
                # is next year's).
                apps = apps.annotate(
                    **year_class_annotations(student="student", school_year="term__school_year")
                )
                fields += ["year_class_id", "year_class_grade"]
        # Application's order (the child's class, then name), from the
        # children in hand rather than joined.
        rows = sorted(
            apps.values_list(*fields, named=True),
            key=lambda r: (
                by_id[r.student_id].school_class.grade,
                by_id[r.student_id].school_class.number,
                by_id[r.student_id].name,
            ),
        )

    unsigned = [r for r in rows if is_unsigned(status=r.status, signed=r.signed)]
    if unsigned:
        items.append(
            Todo(
                "agreement",
                _("协议书待签署"),
                len(unsigned),
                reverse("enrollment:agreement-sign", args=[unsigned[0].pk])
                if len(unsigned) == 1
                else family,
                names=[names[r.student_id] for r in unsigned],
                urgent=True,
            )
        )
    returned = [r for r in rows if r.status == Status.RETURNED]
    if returned:
        items.append(
            Todo(
                "returned",
                _("申请被退回，请修改后重新提交"),
                len(returned),
                family,
                detail="；".join(
                    f"{names[r.student_id]}：{r.last_reason}" for r in returned if r.last_reason
                ),
                names=[names[r.student_id] for r in returned],
                urgent=True,
            )
        )
    # A survey is open while it is not closed (Survey).
    survey_terms = [t for t in terms if t.survey_pk is not None and t.survey_closed_at is None]
    if survey_terms:
        answered = set(
            SurveyResponse.objects.filter(
                survey__term_id__in=[t.pk for t in survey_terms],
                survey__closed_at__isnull=True,
                student_id__in=ids,
            ).values_list("student_id", flat=True)
        )
        open_schools = {t.school_id for t in survey_terms}
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
    featured = {
        (r.student_id, r.term_id): (
            getattr(r, "year_class_id", None),
            getattr(r, "year_class_grade", None),
            r.chosen,
        )
        for r in rows
        if windows and r.status == Status.APPROVED and r.wants_featured_day
    }
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
    result_terms = [t.pk for t in terms if t.recent_results]
    # A result waits until the guardian has seen it: their notice of it
    # (allocation_notice_key) still unread. Opening the notice or the
    # child's club page marks it read (allocation_result_seen).
    placed = _unseen_placements(user, ids, result_terms, since) if result_terms else []
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
    return items + unread_todos(user)


def _unseen_placements(
    user: User, ids: list[int], term_ids: list[int], since: datetime.datetime
) -> list[tuple[int, str]]:
    """(student id, club name) of the children placed by a run of
    ``term_ids`` published since ``since`` whose notice ``user`` has not
    read. One query."""
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
    return list(
        Allocation.objects.filter(
            Exists(result_notice),
            student_id__in=ids,
            run__term_id__in=term_ids,
            run__published_at__gte=since,
            state=AllocationState.PLACED,
        ).values_list("student_id", "club__name")
    )
