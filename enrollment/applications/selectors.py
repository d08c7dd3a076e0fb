"""Application reads (STYLE.md §1): querysets come back with their joins.

Scoping by user is done in ``enrollment/access.py``; these functions take
already-scoped objects.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.models import Student, Term
from afterschool.selectors import current_term
from enrollment.applications.forms import CARRIED_OVER_FIELDS
from enrollment.models import (
    Agreement,
    Application,
    ApplicationEvent,
    EnrollmentSettings,
    OptOut,
    Status,
    Survey,
    SurveyResponse,
    WaiverRequest,
)


def enrollment_settings_for(term: Term) -> EnrollmentSettings:
    """The term's enrollment settings, unsaved defaults when none were stored."""
    try:
        return term.enrollment_settings
    except EnrollmentSettings.DoesNotExist:
        return EnrollmentSettings(term=term)


@dataclass
class FamilyCard:
    """One child's card on the family's page: the current term of the
    child's school and what the family has done in it."""

    child: Student
    term: Term | None
    application: Application | None
    agreement: Agreement | None
    opt_out: OptOut | None
    survey: Survey | None
    response: SurveyResponse | None
    can_reapply: bool


def family_cards(*, children: list[Student]) -> list[FamilyCard]:
    """A card per child (siblings each get their own): the same number of
    queries whatever the number of children, plus one per school for its
    current term (``afterschool.selectors.current_term``)."""
    terms: dict[int, Term | None] = {}
    for child in children:
        if child.school_id not in terms:
            terms[child.school_id] = current_term(school=child.school_id)
    term_ids = [t.pk for t in terms.values() if t]
    apps = {
        a.student_id: a
        for a in Application.objects.filter(
            student__in=children, term_id__in=term_ids
        ).select_related("agreement", "waiver")
    }
    opt_outs = {
        o.student_id: o
        for o in OptOut.objects.filter(
            student__in=children, term_id__in=term_ids, revoked_at__isnull=True
        )
    }
    surveys = {s.term_id: s for s in Survey.objects.filter(term_id__in=term_ids)}
    reapply_terms = set(
        EnrollmentSettings.objects.filter(
            term_id__in=term_ids, allow_reapply_after_withdrawal=True
        ).values_list("term_id", flat=True)
    )
    responses = {
        r.student_id: r
        for r in SurveyResponse.objects.filter(
            student__in=children, survey__in=[s.pk for s in surveys.values()]
        )
    }
    cards = []
    for child in children:
        term = terms[child.school_id]
        app = apps.get(child.pk)
        survey = surveys.get(term.pk) if term else None
        cards.append(
            FamilyCard(
                child=child,
                term=term,
                application=app,
                agreement=getattr(app, "agreement", None) if app else None,
                opt_out=opt_outs.get(child.pk),
                survey=survey,
                response=responses.get(child.pk),
                can_reapply=bool(term and term.pk in reapply_terms),
            )
        )
    return cards


@dataclass
class StartingPoint:
    """A child's application of an earlier term offered as the start of the
    form for a new term: ``initial`` holds the ``CARRIED_OVER_FIELDS``
    values, ``taken_over`` what the guardian is shown as taken over
    ((label, text) pairs, in the form's order)."""

    application: Application
    initial: dict[str, Any]
    taken_over: list[tuple[str, str]]


def _taken_over(app: Application) -> list[tuple[str, str]]:
    """What ``app`` passes on to a new form, in words: the parts chosen, how
    the child goes home, the emergency contact."""
    parts = [
        str(Application._meta.get_field(name).verbose_name)
        for name in ("wants_noon", "wants_after_school", "wants_featured_day")
        if getattr(app, name)
    ]
    rows = [(_("服务时段"), "、".join(parts) or _("未选择"))]
    if app.goes_home_alone:
        rows.append((_("离校方式"), _("孩子自行回家")))
    elif app.pickup_name:
        who = app.pickup_name
        if app.pickup_relation:
            who += f"（{app.pickup_relation}）"
        rows.append((_("接送人"), f"{who} {app.pickup_mobile}".strip()))
    if app.emergency_name or app.emergency_mobile:
        rows.append((_("紧急联系人"), f"{app.emergency_name} {app.emergency_mobile}".strip()))
    return rows


def application_starting_point(*, student: Student, term: Term) -> StartingPoint | None:
    """The application a new form for ``student`` in ``term`` may start from:
    the child's application of the latest earlier term of the same school
    (first day before ``term``'s) that went beyond a draft, whatever became of
    it (approved, withdrawn …); ``None`` when there is none. Only the
    arrangements (``CARRIED_OVER_FIELDS``) are offered, never the reason or
    other text in the family's own words. One query (term joined)."""
    app = (
        Application.objects.filter(
            student=student,
            term__school_id=term.school_id,
            term__first_day__lt=term.first_day,
        )
        .exclude(status=Status.DRAFT)
        .select_related("term")
        .order_by("-term__first_day")
        .first()
    )
    if app is None:
        return None
    return StartingPoint(
        application=app,
        initial={name: getattr(app, name) for name in CARRIED_OVER_FIELDS},
        taken_over=_taken_over(app),
    )


def applications_with_people(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Applications with student, class, term and waiver joined (one query)."""
    return qs.select_related(
        "student", "student__school_class", "student__school", "term", "waiver", "class_submission"
    )


def application_events(application: Application) -> QuerySet[ApplicationEvent]:
    """The history timeline, oldest first, with who did it."""
    return application.events.select_related("by").order_by("at", "pk")


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
    agreement (django-simple-history; the audit trail of DESIGN.md), newest first, each
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
