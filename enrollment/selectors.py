"""Reads that cross models (STYLE.md §1): querysets come back with their joins.

Scoping by user is done in ``enrollment/access.py``; these functions take
already-scoped objects (a school, a term, a class).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from afterschool.models import GRADE_NAMES, School, SchoolClass, Student, Term
from enrollment.models import (
    Agreement,
    Application,
    ApplicationEvent,
    ClassSubmission,
    EnrollmentSettings,
    OptOut,
    Status,
    Survey,
    SurveyAnswer,
    SurveyResponse,
    WaiverRequest,
    WaiverStatus,
)

# Defaults from the seed (一.2 times, 一.7 fee). The school's and term's own
# settings (School.fee_cap_*, Term.*_arrival/_dismissal) come with afterschool
# migration 0002 on another branch; read them when present.
DEFAULT_TIMES = {
    "participant_arrival": datetime.time(13, 0),
    "participant_dismissal": datetime.time(18, 10),
    "nonparticipant_arrival": datetime.time(13, 55),
    "nonparticipant_dismissal": datetime.time(17, 20),
}
DEFAULT_FEE_CAP_PER_PERIOD = Decimal("2.30")
DEFAULT_FEE_CAP_PERIODS_PER_DAY = 2

PRIORITY_Q = (
    Q(is_migrant_child=True)
    | Q(is_left_behind=True)
    | Q(is_disabled=True)
    | Q(is_financial_hardship=True)
)


def term_times(term: Term) -> dict[str, str]:
    """Arrival and dismissal times of ``term`` as ``"HH:MM"`` strings, keys as
    in ``DEFAULT_TIMES``; the seed's times (一.2) where the term has none."""
    times = {}
    for name, default in DEFAULT_TIMES.items():
        value = getattr(term, name, None) or default
        times[name] = value.strftime("%H:%M")
    return times


@dataclass(frozen=True)
class FeeCap:
    """The county's fee cap (seed 一.7): yuan per period, periods charged per
    day, and the document it comes from."""

    per_period: Decimal
    periods_per_day: int
    document: str = ""

    @property
    def per_day(self) -> Decimal:
        return (self.per_period * self.periods_per_day).quantize(Decimal("0.01"))


def school_fee_cap(school: School) -> FeeCap:
    """The school's fee cap, defaulting to 2.30 yuan × 2 periods = 4.60 yuan a day."""
    per_period = getattr(school, "fee_cap_per_period", None)
    periods = getattr(school, "fee_cap_periods_per_day", None)
    document = getattr(school, "fee_document", "") or ""
    return FeeCap(
        per_period=Decimal(per_period if per_period is not None else DEFAULT_FEE_CAP_PER_PERIOD),
        periods_per_day=int(periods if periods is not None else DEFAULT_FEE_CAP_PERIODS_PER_DAY),
        document=str(document),
    )


def current_term(school_id: int) -> Term | None:
    """The term enrollment works on for a school: the one containing today,
    else the latest by first day (the next term is usually set up before it
    starts). ``None`` when the school has no term."""
    today = timezone.localdate()
    terms = list(Term.objects.filter(school_id=school_id).order_by("-first_day")[:10])
    for term in terms:
        if term.contains(today):
            return term
    return terms[0] if terms else None


def enrollment_settings_for(term: Term) -> EnrollmentSettings:
    """The term's enrollment settings, unsaved defaults when none were stored."""
    try:
        return term.enrollment_settings
    except EnrollmentSettings.DoesNotExist:
        return EnrollmentSettings(term=term)


def approved_waiver_for(*, student: Student, term: Term) -> WaiverRequest | None:
    """The approved fee waiver of ``student`` for ``term``, or ``None``.

    This is what billing reads (seed 一.7: 对家庭困难子女免收课后服务费): a
    waiver counts once the school approved it, whatever happens to the
    application later (billing decides which days are charged at all).
    """
    return (
        WaiverRequest.objects.filter(
            application__student=student, application__term=term, status=WaiverStatus.APPROVED
        )
        .select_related("application", "decided_by")
        .first()
    )


def applications_with_people(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Applications with student, class, term and waiver joined (one query)."""
    return qs.select_related(
        "student", "student__school_class", "student__school", "term", "waiver", "class_submission"
    )


def class_applications(*, school_class: SchoolClass, term: Term) -> QuerySet[Application]:
    """A class's applications for a term, drafts left out (the teacher reviews
    what families submitted)."""
    return applications_with_people(
        Application.objects.filter(student__school_class=school_class, term=term).exclude(
            status=Status.DRAFT
        )
    )


def class_students_without_application(
    *, school_class: SchoolClass, term: Term
) -> QuerySet[Student]:
    """Students of the class with no submitted application for the term,
    each with ``active_opt_out`` (list) prefetched: who still needs a paper
    application or an opt-out."""
    return (
        Student.objects.filter(school_class=school_class)
        .exclude(applications__term=term, applications__status__in=_NOT_DRAFT)
        .prefetch_related(
            Prefetch(
                "opt_outs",
                queryset=OptOut.objects.filter(term=term, revoked_at__isnull=True),
                to_attr="active_opt_out",
            )
        )
        .order_by("name")
    )


_NOT_DRAFT = [s for s in Status.values if s != Status.DRAFT]


def application_events(application: Application) -> QuerySet[ApplicationEvent]:
    """The history timeline, oldest first, with who did it."""
    return application.events.select_related("by").order_by("at", "pk")


def class_survey_rows(*, school_class: SchoolClass, survey: Survey) -> QuerySet[Student]:
    """The class's students, each with ``responses`` (0 or 1 item) for the
    survey and who recorded it: two queries however big the class."""
    return (
        Student.objects.filter(school_class=school_class)
        .prefetch_related(
            Prefetch(
                "survey_responses",
                queryset=SurveyResponse.objects.filter(survey=survey).select_related("recorded_by"),
                to_attr="responses",
            )
        )
        .order_by("name")
    )


@dataclass
class FigureRow:
    """Survey figures of a class or a grade."""

    label: str
    students: int = 0
    joining: int = 0
    declining: int = 0
    undecided: int = 0
    no_answer: int = 0
    priority: int = 0
    priority_joining: int = 0
    priority_declining: int = 0
    priority_undecided: int = 0
    priority_no_answer: int = 0
    classes: list = field(default_factory=list)

    def add(self, other: FigureRow) -> None:
        for name in (
            "students",
            "joining",
            "declining",
            "undecided",
            "no_answer",
            "priority",
            "priority_joining",
            "priority_declining",
            "priority_undecided",
            "priority_no_answer",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def survey_figures(survey: Survey) -> tuple[list[FigureRow], FigureRow]:
    """Figures per class grouped by grade, and the school total, from ONE
    aggregate query: students of the term's school year per class, with
    conditional counts of each answer and of priority-group children (seed
    一.3) among each.

    Returns ``(grades, total)``; each grade row has its class rows in ``classes``.
    """
    in_survey = Q(survey_responses__survey=survey)

    def answered(answer: str, *, priority: bool = False) -> Count:
        cond = in_survey & Q(survey_responses__answer=answer)
        if priority:
            cond &= PRIORITY_Q
        return Count("pk", filter=cond, distinct=True)

    rows = (
        Student.objects.filter(
            school_id=survey.school_id, school_class__school_year_id=survey.term.school_year_id
        )
        .values("school_class__grade", "school_class__number", "school_class_id")
        .annotate(
            students=Count("pk", distinct=True),
            answered=Count("pk", filter=in_survey, distinct=True),
            joining=answered(SurveyAnswer.JOIN),
            declining=answered(SurveyAnswer.DECLINE),
            undecided=answered(SurveyAnswer.UNDECIDED),
            priority=Count("pk", filter=PRIORITY_Q, distinct=True),
            priority_answered=Count("pk", filter=in_survey & PRIORITY_Q, distinct=True),
            priority_joining=answered(SurveyAnswer.JOIN, priority=True),
            priority_declining=answered(SurveyAnswer.DECLINE, priority=True),
            priority_undecided=answered(SurveyAnswer.UNDECIDED, priority=True),
        )
        .order_by("school_class__grade", "school_class__number")
    )
    grades: dict[int, FigureRow] = {}
    total = FigureRow(label="")
    for r in rows:
        row = FigureRow(
            label=f"{GRADE_NAMES[r['school_class__grade']]}（{r['school_class__number']}）班",
            students=r["students"],
            joining=r["joining"],
            declining=r["declining"],
            undecided=r["undecided"],
            no_answer=r["students"] - r["answered"],
            priority=r["priority"],
            priority_joining=r["priority_joining"],
            priority_declining=r["priority_declining"],
            priority_undecided=r["priority_undecided"],
            priority_no_answer=r["priority"] - r["priority_answered"],
        )
        grade = grades.setdefault(
            r["school_class__grade"], FigureRow(label=GRADE_NAMES[r["school_class__grade"]])
        )
        grade.add(row)
        grade.classes.append(row)
        total.add(row)
    return list(grades.values()), total


def submissions_for_school(*, school_id: int, term: Term) -> QuerySet[ClassSubmission]:
    """The term's class submissions with counts of applications waiting for
    the school and approved: one query."""
    return (
        ClassSubmission.objects.filter(school_class__school_id=school_id, term=term)
        .select_related("school_class", "submitted_by", "approved_by")
        .annotate(
            waiting=Count(
                "applications", filter=Q(applications__status=Status.SUBMITTED_TO_SCHOOL)
            ),
            approved=Count("applications", filter=Q(applications__status=Status.APPROVED)),
        )
    )


def waivers_for_school(*, school_id: int, term: Term) -> QuerySet[WaiverRequest]:
    """The term's waiver requests with student and class: one query."""
    return (
        WaiverRequest.objects.filter(
            application__student__school_id=school_id, application__term=term
        )
        .exclude(application__status=Status.DRAFT)
        .select_related(
            "application",
            "application__student",
            "application__student__school_class",
            "decided_by",
        )
        .order_by("status", "application__student__school_class__grade", "created_at")
    )


@dataclass
class ChangeRow:
    """One saved version of an application, its waiver or its agreement, as
    shown in the admin's 变更记录: who, when, which record, what changed
    (field label, old, new) and why."""

    at: datetime.datetime
    who: str
    record: str
    kind: str
    changes: list[tuple[str, str, str]]
    reason: str


# Book-keeping columns every save touches; listing them would drown the rest.
_HISTORY_NOISE = {"updated_at"}


def _display(model_field, value) -> str:
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def application_change_history(application: Application) -> list[ChangeRow]:
    """Every saved version of ``application``, its waiver request and its
    agreement (django-simple-history, issue 6 Audit), newest first, each
    with the fields that changed against the version before it
    (``diff_against``). Three queries (one per kind of record, user joined)
    whatever the number of versions."""
    kinds = [
        (Application, Application.history.filter(id=application.pk)),
        (WaiverRequest, WaiverRequest.history.filter(application_id=application.pk)),
        (Agreement, Agreement.history.filter(application_id=application.pk)),
    ]
    labels = {"+": "新建", "~": "修改", "-": "删除"}
    rows: list[ChangeRow] = []
    for model, records in kinds:
        versions = list(records.select_related("history_user").order_by("history_date", "pk"))
        previous = {}
        for version in versions:
            before = previous.get(version.id)
            changes = []
            if before is not None:
                delta = version.diff_against(before, excluded_fields=_HISTORY_NOISE)
                for change in sorted(delta.changes, key=lambda c: c.field):
                    field_ = model._meta.get_field(change.field)
                    changes.append(
                        (
                            str(field_.verbose_name),
                            _display(field_, change.old),
                            _display(field_, change.new),
                        )
                    )
            previous[version.id] = version
            user = version.history_user
            rows.append(
                ChangeRow(
                    at=version.history_date,
                    who=(user.name or user.username) if user else "—",
                    record=str(model._meta.verbose_name),
                    kind=labels.get(version.history_type, version.history_type),
                    changes=changes,
                    reason=version.history_change_reason or "",
                )
            )
    rows.sort(key=lambda row: row.at, reverse=True)
    return rows


# ------------------------------------------------------------------ printing


def pdf_applications(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Applications with everything an agreement PDF reads, in two queries
    however many: student, school, class, term, waiver and agreement (with
    who received a paper one) joined; guardians prefetched."""
    return qs.select_related(
        "student__school",
        "student__school_class",
        "term",
        "waiver",
        "agreement",
        "agreement__paper_received_by",
    ).prefetch_related("student__guardians")


def agreements_to_print(
    *, school_id: int, term: Term, school_class: SchoolClass | None = None, grade: int | None = None
) -> QuerySet[Application]:
    """The approved applications of a class or a grade whose agreements are
    printed, in class order then by student name (the order of the printed
    batch). Exactly one of ``school_class`` and ``grade``."""
    if (school_class is None) == (grade is None):
        raise ValueError("give a class or a grade")
    qs = Application.objects.filter(student__school_id=school_id, term=term, status=Status.APPROVED)
    if school_class is not None:
        qs = qs.filter(student__school_class=school_class)
    else:
        qs = qs.filter(
            student__school_class__grade=grade,
            student__school_class__school_year_id=term.school_year_id,
        )
    return pdf_applications(qs).order_by(
        "student__school_class__grade", "student__school_class__number", "student__name", "pk"
    )


@dataclass
class PrintRow:
    """Agreement figures of one class for the print page."""

    school_class: SchoolClass
    approved: int = 0
    signed: int = 0
    paper: int = 0

    @property
    def unsigned(self) -> int:
        return self.approved - self.signed - self.paper


def agreement_print_rows(
    *, classes: QuerySet[SchoolClass], term: Term
) -> list[tuple[int, list[PrintRow]]]:
    """Per class of ``classes`` (already scoped to the user) the approved
    applications of ``term`` and how many agreements are signed online or
    received on paper, grouped by grade: two queries (classes, one
    aggregate)."""
    classes = list(classes.filter(school_year_id=term.school_year_id).order_by("grade", "number"))
    counts = {
        r["student__school_class_id"]: r
        for r in Application.objects.filter(
            term=term, status=Status.APPROVED, student__school_class__in=[c.pk for c in classes]
        )
        .values("student__school_class_id")
        .annotate(
            approved=Count("pk"),
            signed=Count("pk", filter=Q(agreement__signed_at__isnull=False)),
            paper=Count(
                "pk",
                filter=Q(agreement__paper_received_at__isnull=False)
                & Q(agreement__signed_at__isnull=True),
            ),
        )
        .order_by()
    }
    grades: dict[int, list[PrintRow]] = {}
    for c in classes:
        r = counts.get(c.pk, {})
        grades.setdefault(c.grade, []).append(
            PrintRow(
                school_class=c,
                approved=r.get("approved", 0),
                signed=r.get("signed", 0),
                paper=r.get("paper", 0),
            )
        )
    return list(grades.items())
