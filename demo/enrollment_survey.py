"""The demo term's survey of families (the seed's 一.5(1) 调查摸底): opened by
the admin, answered by almost every family (online, or on paper through the
homeroom teacher), with the written opt-outs of those who decline."""

from __future__ import annotations

import datetime
import random

from demo.base import SEED, DemoSchool, sync
from demo.enrollment_plan import Plan, current_season, day_2024, local_time, survey_opened_at
from demo.school import homeroom_username
from enrollment.models import OptOut, Survey, SurveyAnswer, SurveyResponse
from enrollment.optouts.texts import opt_out_statement

SURVEY_RESPONSE_FIELDS = (
    "answer",
    "wants_noon",
    "wants_after_school",
    "wants_featured_day",
    "recorded_by",
    "on_paper",
    "created_at",
    "updated_at",
)


def build_survey(demo: DemoSchool) -> Survey:
    """The term's survey, open since "19 August" of the current season; a
    complete season's survey was closed by the admin on the term's first day."""
    complete = current_season().complete
    closed_at = local_time(demo.term.first_day, 0) if complete else None
    (survey,) = sync(
        Survey,
        Survey.objects.filter(term=demo.term),
        [
            Survey(
                school=demo.school,
                term=demo.term,
                opened_at=survey_opened_at(),
                opened_by=demo.staff["admin"],
                closed_at=closed_at,
                closed_by=demo.staff["admin"] if complete else None,
            )
        ],
        key=("term_id",),
        fields=("opened_at", "opened_by", "closed_at", "closed_by"),
    ).values()
    return survey


def build_survey_answers(demo: DemoSchool, survey: Survey, plans: list[Plan]) -> None:
    """Survey answers of the families that answered, and the written opt-outs."""
    term = demo.term
    wanted_responses, wanted_opt_outs = [], []
    for plan in plans:
        if plan.answer is None:
            continue
        student = plan.student
        c = student.school_class
        rng = random.Random(f"{SEED}:enrollment:survey:{student.student_number}")
        teacher = demo.staff[homeroom_username(c.grade, c.number)]
        at = local_time(
            day_2024(8, 19) + datetime.timedelta(days=rng.randrange(4)), rng.randrange(700)
        )
        if not current_season().happened(at):
            continue  # not answered yet on the demo's today
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
    sync(
        SurveyResponse,
        SurveyResponse.objects.filter(survey=survey),
        wanted_responses,
        key=("survey_id", "student_id"),
        fields=SURVEY_RESPONSE_FIELDS,
    )
    sync(
        OptOut,
        OptOut.objects.filter(term=term, revoked_at__isnull=True),
        wanted_opt_outs,
        key=("student_id", "term_id"),
        fields=("declared_by", "declared_at", "statement", "on_paper"),
    )
