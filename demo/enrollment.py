"""Enrollment demo data for 阳光实验小学's two demo terms (``build(demo)``,
the step after ``demo.calendar`` in ``demo.load.load_demo``): the previous
term complete (every class approved by the school, drafts aside), then the
term shown, each in its ``demo.enrollment_plan.Season`` (the plans' dates
moved onto the term, nothing after the demo's "now").

What it builds for the term shown, so every enrollment page shows real data:

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
is written by natural key through ``demo.base.sync``, so a second run writes
nothing. Bulk inserts throughout; no service calls (they would write one row
at a time and stamp the real time). What each family did is drawn first
(``demo.enrollment_plan``); each ``_build_*`` step below writes one kind of row.
"""

from __future__ import annotations

import dataclasses
import datetime
import random

from django.template import Context, Template

from afterschool.models import ClassMembership, Guardianship, Student, User
from demo.base import SEED, DemoSchool, sync
from demo.enrollment_plan import (
    APPROVE_REASON,
    DECLINE_REASON,
    DECLINED_WAIVER_CLASS,
    HEALTH_NOTES,
    REASONS,
    RETURN_REASONS,
    SCHOOL_RETURN_REASON,
    TERMINATE_REASON,
    TZ,
    WAIVER_REASONS,
    WITHDRAW_REASONS,
    Plan,
    S,
    current_season,
    day_2024,
    in_season,
    late_submit,
    local_time,
    move_day,
    override_demo_families,
    path_to,
    plan_class,
    season_for,
    stage_of,
    survey_opened_at,
)
from demo.enrollment_survey import build_survey, build_survey_answers
from demo.families import SIBLINGS_GUARDIAN_MOBILE, SINGLE_CHILD_GUARDIAN_MOBILE
from demo.school import homeroom_username
from enrollment.agreements.texts import DEFAULT_BODY, agreement_context
from enrollment.models import (
    Agreement,
    AgreementTemplate,
    Application,
    ApplicationEvent,
    ClassSubmission,
    WaiverRequest,
    WaiverStatus,
)

APPLICATION_FIELDS = (
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
)
AGREEMENT_FIELDS = (
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
)


def build(demo: DemoSchool) -> None:
    """Build or refresh the enrollment data of the previous term (complete:
    every class approved) and of the term shown (see the module docstring),
    each in its ``Season``. Needs ``demo.school.load_school``'s ``demo``."""
    template = None
    for term, complete in ((demo.previous_term, True), (demo.term, False)):
        if term is None:
            continue
        season = season_for(first_day=term.first_day, now=demo.now, complete=complete)
        with in_season(season):
            # The template is the school's, made in the first season built.
            template = template or _build_template(demo)
            # The term's own school year and classes (a previous term of the
            # year before has that year's classes and children).
            year_demo = dataclasses.replace(
                demo, term=term, school_year=term.school_year, classes=demo.classes_of(term)
            )
            build_term(year_demo, template)


def build_term(demo: DemoSchool, template: AgreementTemplate) -> None:
    """The enrollment rows of ``demo.term`` in the current season."""
    plans = _plan_families(demo)
    survey = build_survey(demo)
    submissions = _build_class_submissions(demo)
    applications, app_plans = _build_applications(demo, plans, submissions)
    _build_events(demo, applications, app_plans)
    waivers = _build_waivers(demo, applications, app_plans)
    _build_agreements(demo, template, applications, app_plans, waivers)
    build_survey_answers(demo, survey, plans)


def _plan_families(demo: DemoSchool) -> list[Plan]:
    """What every student's family did, class by class (``plan_class``),
    with the two demo families' states set by hand."""
    # The members of the term's classes, each with its class of that year
    # (not the latest): agreement texts, opt-out statements and the homeroom
    # teacher go by it. With school joined: agreement texts read it.
    students = []
    for membership in ClassMembership.objects.filter(
        school_class__in=list(demo.classes.values())
    ).select_related("student__school", "school_class"):
        student = membership.student
        student.school_class = membership.school_class  # in memory only, never saved
        students.append(student)
    students.sort(key=lambda s: s.student_number)
    families: dict[int, Guardianship] = {}
    for link in (
        Guardianship.objects.filter(student__school=demo.school)
        .select_related("guardian")
        .order_by("pk")
    ):
        families.setdefault(link.student_id, link)
    by_class: dict[tuple[int, int], list[Student]] = {}
    for student in students:
        c = student.school_class
        by_class.setdefault((c.grade, c.number), []).append(student)

    plans: list[Plan] = []
    for key in sorted(by_class):
        plans.extend(plan_class(key, by_class[key], families))
    override_demo_families(plans)
    return plans


def _build_template(demo: DemoSchool) -> AgreementTemplate:
    """The default agreement template (version 1), made when the survey opened."""
    (template,) = sync(
        AgreementTemplate,
        AgreementTemplate.objects.filter(school=demo.school, version=1),
        [
            AgreementTemplate(
                school=demo.school, version=1, body=DEFAULT_BODY, created_at=survey_opened_at()
            )
        ],
        key=("school_id", "version"),
        fields=("body",),
    ).values()
    return template


def _build_class_submissions(demo: DemoSchool) -> dict[tuple, ClassSubmission]:
    """A frozen class list for every class past its homeroom review, approved
    by the school unless it is still waiting there."""
    term, admin = demo.term, demo.staff["admin"]
    season = current_season()
    wanted_subs = []
    for (grade, number), school_class in sorted(demo.classes.items()):
        stage = stage_of((grade, number))
        submitted_at = local_time(day_2024(8, 29), 60 + grade * 10 + number)
        if stage == "review" or not season.happened(submitted_at):
            continue
        teacher = demo.staff[homeroom_username(grade, number)]
        approved_at = local_time(day_2024(8, 30), 420 + grade * 10 + number)
        approved = stage in {"approved", "mixed"} and season.happened(approved_at)
        wanted_subs.append(
            ClassSubmission(
                school_class=school_class,
                term=term,
                submitted_by=teacher,
                submitted_at=submitted_at,
                frozen=True,
                approved_by=admin if approved else None,
                approved_at=approved_at if approved else None,
            )
        )
    return sync(
        ClassSubmission,
        ClassSubmission.objects.filter(term=term),
        wanted_subs,
        key=("school_class_id", "term_id"),
        fields=("submitted_by", "submitted_at", "frozen", "approved_by", "approved_at"),
    )


def _build_applications(
    demo: DemoSchool, plans: list[Plan], submissions: dict[tuple, ClassSubmission]
) -> tuple[list[Application], list[Plan]]:
    """An application for every family that applied, with the moves of its
    history in ``plan.events``; returns the saved applications and their plans,
    in the same order."""
    wanted_apps, app_plans = [], []
    for plan in plans:
        if plan.status is None:
            continue
        rng = random.Random(f"{SEED}:enrollment:app:{plan.student.student_number}")
        app = _application(demo, plan, submissions, rng)
        if plan.mobile == SIBLINGS_GUARDIAN_MOBILE:
            # The demo's family tries clubs: both children take the featured day.
            app.wants_featured_day = True
        if not current_season().happened(app.created_at):
            plan.status = None  # not started yet on the demo's today
            continue
        wanted_apps.append(app)
        app_plans.append(plan)
    _decline_one_waiver(wanted_apps, app_plans)
    term = demo.term
    apps = sync(
        Application,
        Application.objects.filter(term=term).select_related(
            "student__school", "student__school_class", "term"
        ),
        wanted_apps,
        key=("student_id", "term_id"),
        fields=APPLICATION_FIELDS,
    )
    saved = []
    for wanted in wanted_apps:
        app = apps[(wanted.student_id, term.pk)]
        # The student with its class of the term's year (``_plan_families``),
        # not the row's latest class: agreement texts are written from it.
        app.student = wanted.student
        saved.append(app)
    return saved, app_plans


def _draw_events(plan: Plan, stage: str, who: dict[str, int], rng: random.Random) -> None:
    """``plan.events``: the moves to ``plan.status`` (``path_to``), each with
    its reason, who made it and when; late applications of classes still
    under review arrive after term starts. Moves after the season's "now"
    are dropped and ``plan.status`` is where the last one left it (a draft
    when none happened)."""
    late = stage in {"review", "mixed"} and plan.status not in {S.APPROVED}
    plan.events = []
    last_at = None
    for frm, to, actor in path_to(plan.status, stage):
        day, spread = late_submit() if (late and to == S.SUBMITTED) else move_day(to)
        if late and to in {S.APPROVED_BY_HOMEROOM, S.RETURNED}:
            day, spread = day + datetime.timedelta(days=8), 2
        at = local_time(day + datetime.timedelta(days=rng.randrange(spread)), rng.randrange(600))
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
    season = current_season()
    if not all(season.happened(e[4]) for e in plan.events):
        plan.events = [e for e in plan.events if season.happened(e[4])]
        plan.status = plan.events[-1][1] if plan.events else S.DRAFT


def _application(
    demo: DemoSchool,
    plan: Plan,
    submissions: dict[tuple, ClassSubmission],
    rng: random.Random,
) -> Application:
    """One family's application (unsaved), its history drawn first from ``rng``."""
    term, admin = demo.term, demo.staff["admin"]
    student = plan.student
    c = student.school_class
    teacher = demo.staff[homeroom_username(c.grade, c.number)]
    family_user = teacher.pk if plan.on_paper else plan.guardian_user_id
    _draw_events(
        plan,
        stage_of((c.grade, c.number)),
        {"family": family_user, "homeroom": teacher.pk, "admin": admin.pk},
        rng,
    )
    last_at = plan.events[-1][4] if plan.events else None
    created = local_time(day_2024(8, 20), rng.randrange(1, 3000))
    if plan.events and created >= plan.events[0][4]:
        created = plan.events[0][4] - datetime.timedelta(hours=2)
    alone = c.grade >= 4 and rng.random() < 0.15
    hardship = student.is_financial_hardship or rng.random() < 0.01
    submitted_at = next((e[4] for e in plan.events if e[1] == S.SUBMITTED), None)
    in_submission = plan.status in {S.SUBMITTED_TO_SCHOOL, S.APPROVED, S.TERMINATED}
    # The keyword arguments draw from ``rng`` in the order written: keep it.
    return Application(
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
        class_submission=submissions.get((c.pk, term.pk)) if in_submission else None,
    )


def _decline_one_waiver(wanted_apps: list[Application], app_plans: list[Plan]) -> None:
    """The one declined waiver, asked by a family that is not in the
    priority group (the school checked and found no hardship)."""
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


def _build_events(demo: DemoSchool, applications: list[Application], app_plans: list[Plan]):
    """The history timeline (ApplicationEvent) of every application."""
    sync(
        ApplicationEvent,
        ApplicationEvent.objects.filter(application__term=demo.term),
        [
            ApplicationEvent(
                application=app, from_status=frm, to_status=to, by_id=by, at=at, reason=reason
            )
            for app, plan in zip(applications, app_plans, strict=True)
            for frm, to, reason, by, at in plan.events
        ],
        key=("application_id", "to_status", "at"),
        fields=("from_status", "by", "reason"),
    )


def _build_waivers(
    demo: DemoSchool, applications: list[Application], app_plans: list[Plan]
) -> dict[tuple, WaiverRequest]:
    """Fee-waiver requests, decided by the school once the class reached it."""
    admin = demo.staff["admin"]
    wanted_waivers = []
    for app, plan in zip(applications, app_plans, strict=True):
        if not app.waiver_requested:
            continue
        status = plan.waiver
        if status is None:
            status = (
                WaiverStatus.APPROVED
                if app.status in {S.APPROVED, S.SUBMITTED_TO_SCHOOL, S.TERMINATED}
                else WaiverStatus.PENDING
            )
        decided_at = local_time(day_2024(8, 30), 480)
        if not current_season().happened(decided_at):
            status = WaiverStatus.PENDING
        decided = status != WaiverStatus.PENDING
        wanted_waivers.append(
            WaiverRequest(
                application=app,
                reason=app.waiver_reason,
                status=status,
                decision_reason={
                    WaiverStatus.DECLINED: DECLINE_REASON,
                    WaiverStatus.APPROVED: APPROVE_REASON,
                }.get(status, ""),
                decided_by=admin if decided else None,
                decided_at=decided_at if decided else None,
                created_at=app.submitted_at or app.created_at,
            )
        )
    return sync(
        WaiverRequest,
        WaiverRequest.objects.filter(application__term=demo.term),
        wanted_waivers,
        key=("application_id",),
        fields=("reason", "status", "decision_reason", "decided_by", "decided_at", "created_at"),
    )


def _build_agreements(
    demo: DemoSchool,
    template: AgreementTemplate,
    applications: list[Application],
    app_plans: list[Plan],
    waivers: dict[tuple, WaiverRequest],
) -> None:
    """Agreements: most approved families signed online, some on paper."""
    body = Template(template.body)
    wanted_agreements = []
    for app, plan in zip(applications, app_plans, strict=True):
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
        if not current_season().happened(at):
            continue  # approved, the agreement still waits for a signature
        Application.waiver.related.set_cached_value(app, waivers.get((app.pk,)))
        c = app.student.school_class
        teacher = demo.staff[homeroom_username(c.grade, c.number)]
        online = kind == "online"
        wanted_agreements.append(
            _agreement(app, plan, template, body, online=online, at=at, by=teacher, rng=rng)
        )
    sync(
        Agreement,
        Agreement.objects.filter(application__term=demo.term),
        wanted_agreements,
        key=("application_id",),
        fields=AGREEMENT_FIELDS,
    )


def _agreement(
    app: Application,
    plan: Plan,
    template: AgreementTemplate,
    body: Template,
    *,
    online: bool,
    at: datetime.datetime,
    by: User,
    rng: random.Random,
) -> Agreement:
    """One agreement (unsaved): signed online at ``at``, or its paper copy
    received by the homeroom teacher ``by``."""
    context = agreement_context(
        application=app,
        guardian_name=plan.guardian_name,
        signature=plan.guardian_name if online else "",
        signed_on=at.astimezone(TZ).date() if online else None,
    )
    grade = app.student.school_class.grade
    return Agreement(
        application=app,
        template=template,
        template_version=template.version,
        text=body.render(Context(context, autoescape=False)).strip() + "\n",
        signed_name=plan.guardian_name if online else "",
        consent=online,
        signed_by_id=plan.guardian_user_id if online else None,
        signed_at=at if online else None,
        ip=f"10.{grade}.{rng.randrange(256)}.{rng.randrange(1, 255)}" if online else None,
        paper_received_by=None if online else by,
        paper_received_at=None if online else at,
    )
