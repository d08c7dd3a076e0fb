"""Survey rules (STYLE.md §1): 调查摸底 (seed 一.5 (1)), opened and closed
by the school, answered by families (or typed in from paper by the
homeroom teacher)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.access import is_admin_of
from afterschool.models import NoticeKind, Student, Term, User
from afterschool.notices.services import notify_guardians_of_students
from afterschool.selectors import students_of_year
from enrollment.access import may_act_for_student
from enrollment.models import Survey, SurveyAnswer, SurveyResponse


@transaction.atomic
def survey_open(*, term: Term, by: User) -> Survey:
    """Open the survey (调查摸底, seed 一.5 (1)) of ``term``, or reopen a
    closed one. Only a school admin of the term's school.

    Raises ``ValidationError`` when ``by`` is not that admin.
    """
    if not is_admin_of(by, term.school_id):
        raise ValidationError(_("只有本校管理员可以发起意向调查。"))
    survey, created = Survey.objects.select_for_update().get_or_create(
        term=term, defaults={"school_id": term.school_id, "opened_by": by}
    )
    if not created and survey.closed_at is not None:
        survey.closed_at = None
        survey.closed_by = None
        survey.save(update_fields=["closed_at", "closed_by"])
    if created or survey.closed_at is None:
        notify_guardians_of_students(
            school=term.school_id,
            # The term's children by their class of its year, not by the
            # latest-class pointer (after a rollover, next year's class).
            student_ids=students_of_year(term.school_year_id)
            .filter(school_id=term.school_id)
            .values_list("pk", flat=True),
            kind=NoticeKind.SURVEY_OPENED,
            title=_("课后服务意向调查开始了"),
            body=_("%(term)s课后服务意向调查已开始，请为孩子填写。") % {"term": term.name},
            link=reverse("enrollment:family"),
            dedupe_key=f"survey:{survey.pk}:{survey.opened_at.isoformat()}",
        )
    return survey


def survey_close(*, survey: Survey, by: User) -> Survey:
    """Close ``survey``: answers can no longer be changed.

    Raises ``ValidationError`` when ``by`` is not an admin of its school.
    """
    if not is_admin_of(by, survey.school_id):
        raise ValidationError(_("只有本校管理员可以结束意向调查。"))
    if survey.closed_at is None:
        survey.closed_at = timezone.now()
        survey.closed_by = by
        survey.save(update_fields=["closed_at", "closed_by"])
    return survey


@transaction.atomic
def survey_answer(
    *,
    survey: Survey,
    student: Student,
    answer: str,
    by: User,
    wants_noon: bool = False,
    wants_after_school: bool = False,
    wants_featured_day: bool = False,
    on_paper: bool = False,
) -> SurveyResponse:
    """Record (or change) the family's survey answer for ``student``: one per
    student per survey, editable until the survey closes (seed 一.5 (1)).

    ``answer`` is a ``SurveyAnswer`` value; parts only count for "join" and
    "undecided" and are cleared for "decline". ``on_paper`` when the homeroom
    teacher types in a paper answer.

    Raises ``ValidationError`` when the survey is closed, belongs to another
    school, or "join" is answered without any part.
    """
    if survey.closed_at is not None:
        raise ValidationError(_("意向调查已结束，不能再修改回执。"))
    if student.school_id != survey.school_id:
        raise ValidationError(_("该学生不属于本次调查的学校。"))
    if not may_act_for_student(by, student):
        raise ValidationError(_("您无权处理该学生的回执。"), code="scope")
    answer = SurveyAnswer(answer)
    parts = {
        "wants_noon": wants_noon,
        "wants_after_school": wants_after_school,
        "wants_featured_day": wants_featured_day,
    }
    if answer == SurveyAnswer.DECLINE:
        parts = dict.fromkeys(parts, False)
    elif answer == SurveyAnswer.JOIN and not any(parts.values()):
        raise ValidationError(_("选择参加时，请至少选择一个服务时段。"))
    now = timezone.now()
    response, created = SurveyResponse.objects.select_for_update().get_or_create(
        survey=survey,
        student=student,
        defaults={"answer": answer, "recorded_by": by, "on_paper": on_paper, **parts},
    )
    if not created:
        response.answer = answer
        response.recorded_by = by
        response.on_paper = on_paper
        response.updated_at = now
        for name, value in parts.items():
            setattr(response, name, value)
        response.save()
    return response
