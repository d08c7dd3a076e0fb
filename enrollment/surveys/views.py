"""Survey pages (调查摸底, seed 一.5 (1)): the family's answer, the class's
answers with paper entry, and the school's survey with its figures and the
term's enrollment settings (STYLE.md §2: thin views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from afterschool.access import school_admin_required, term_for_user
from afterschool.models import Role
from afterschool.selectors import class_order, students_of_class
from enrollment import access
from enrollment.applications.forms import EnrollmentSettingsForm
from enrollment.applications.selectors import enrollment_settings_for
from enrollment.applications.services import enrollment_settings_save
from enrollment.applications.views import child_and_term
from enrollment.models import Survey, SurveyResponse
from enrollment.pages import no_term
from enrollment.surveys import selectors, services
from enrollment.surveys.forms import PaperSurveyForm, SurveyAnswerForm


@login_required
def survey_answer(request: HttpRequest, student_pk: int) -> HttpResponse:
    """The family's survey answer (调查摸底, seed 一.5 (1))."""
    child, term = child_and_term(request, student_pk)
    survey = Survey.objects.filter(term=term).first()
    if survey is None:
        raise Http404
    existing = SurveyResponse.objects.filter(survey=survey, student=child).first()
    initial = {}
    if existing:
        initial = {
            "answer": existing.answer,
            "wants_noon": existing.wants_noon,
            "wants_after_school": existing.wants_after_school,
            "wants_featured_day": existing.wants_featured_day,
        }
    form = SurveyAnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(
                survey=survey, student=child, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("意向调查回执已提交。"))
            return redirect("enrollment:family")
    return render(
        request,
        "enrollment/survey_answer.html",
        {"form": form, "child": child, "survey": survey, "response": existing},
    )


@login_required
def class_survey(request: HttpRequest, pk: int) -> HttpResponse:
    """The class's survey answers as they arrive, and a form to record a
    paper answer for a family (seed 一.5 (1) 各班主任…调查摸底)."""
    term = term_for_user(request.user)
    school_class = access.get_review_class_for_user(request.user, pk, term=term)
    survey = Survey.objects.filter(term=term).first() if term else None
    if survey is None:
        return render(request, "enrollment/no_survey.html", {"school_class": school_class})
    rows = list(selectors.class_survey_rows(school_class=school_class, survey=survey))
    form = PaperSurveyForm(
        request.POST or None, students=students_of_class(school_class).order_by(*class_order())
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        student = data.pop("student")
        try:
            services.survey_answer(
                survey=survey, student=student, by=request.user, on_paper=True, **data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已登记%(name)s的纸质回执。") % {"name": student.name})
            return redirect("enrollment:class-survey", pk=school_class.pk)
    counts = {"join": 0, "decline": 0, "undecided": 0, "none": 0}
    for s in rows:
        counts[s.responses[0].answer if s.responses else "none"] += 1
    return render(
        request,
        "enrollment/class_survey.html",
        {
            "school_class": school_class,
            "survey": survey,
            "rows": rows,
            "form": form,
            "counts": counts,
        },
    )


@login_required
@school_admin_required
def surveys(request: HttpRequest) -> HttpResponse:
    """The term's survey: open or close it; the term's enrollment settings."""
    term = term_for_user(request.user)
    if term is None:
        return no_term(request)
    settings = enrollment_settings_for(term)
    form = EnrollmentSettingsForm(
        request.POST or None, initial={"allow_reapply": settings.allow_reapply_after_withdrawal}
    )
    if request.method == "POST" and form.is_valid():
        enrollment_settings_save(
            term=term, allow_reapply=form.cleaned_data["allow_reapply"], by=request.user
        )
        messages.success(request, _("报名设置已保存。"))
        return redirect("enrollment:surveys")
    return render(
        request,
        "enrollment/surveys.html",
        {"term": term, "survey": Survey.objects.filter(term=term).first(), "form": form},
    )


@login_required
@school_admin_required
@require_POST
def survey_open(request: HttpRequest) -> HttpResponse:
    term = term_for_user(request.user)
    if term is None:
        raise Http404
    survey = services.survey_open(term=term, by=request.user)
    messages.success(request, _("意向调查已开始，家长可以在手机上填写。"))
    return redirect("enrollment:survey-figures", pk=survey.pk)


@login_required
@require_POST
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access.get_survey_for_user(request.user, pk)
    try:
        services.survey_close(survey=survey, by=request.user)
    except ValidationError as exc:
        raise PermissionDenied from exc
    messages.success(request, _("意向调查已结束。"))
    return redirect("enrollment:survey-figures", pk=survey.pk)


@login_required
def survey_figures(request: HttpRequest, pk: int) -> HttpResponse:
    """Figures per class and grade: joining, declining, undecided, no answer,
    and priority-group children among each (one aggregate query)."""
    survey = access.get_survey_for_user(request.user, pk)
    if request.user.role != Role.ADMIN:
        raise PermissionDenied
    grades, total = selectors.survey_figures(survey)
    return render(
        request,
        "enrollment/survey_figures.html",
        {"survey": survey, "grades": grades, "total": total},
    )
