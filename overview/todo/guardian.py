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
from afterschool.models import Notice, NoticeKind, Term, User
from afterschool.selectors import pick_current_term, year_class_annotations
from billing.models import FeeStatement
from billing.statements.selectors import with_paid
from enrollment.models import (
    Application,
    Status,
    Survey,
    SurveyResponse,
)
from overview.todo.items import (
    RECENT_DAYS,
    Todo,
    unread_todos,
    unsigned_agreements,
)
from scheduling.models import (
    Allocation,
    AllocationState,
    ChoiceWindow,
    ClubChoice,
    LeaveRequest,
    LeaveStatus,
    WindowScope,
)


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
        return unread_todos(user)
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
    unsigned = list(unsigned_agreements(apps).values_list("pk", "student_id"))
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
    return items + unread_todos(user)
