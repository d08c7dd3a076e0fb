"""Enrollment URLs (namespace ``enrollment``): the one URL module, pointing
at each sub-domain's views."""

from django.urls import path

from enrollment.agreements import views as agreements
from enrollment.applications import views as applications
from enrollment.leavers import views as leavers
from enrollment.optouts import views as optouts
from enrollment.printing import views as printing
from enrollment.review import views as review
from enrollment.surveys import views as surveys
from enrollment.waivers import views as waivers

app_name = "enrollment"

urlpatterns = [
    # guardian
    path("", applications.family, name="family"),
    path("survey/<int:student_pk>/", surveys.survey_answer, name="survey-answer"),
    path("apply/<int:student_pk>/", applications.application_edit, name="application-edit"),
    path("opt-out/<int:student_pk>/", optouts.opt_out, name="opt-out"),
    # one application, any role that may see it
    path("applications/<int:pk>/", applications.application_detail, name="application-detail"),
    path(
        "applications/<int:pk>/withdraw/",
        applications.application_withdraw,
        name="application-withdraw",
    ),
    path("applications/<int:pk>/approve/", review.application_approve, name="application-approve"),
    path("applications/<int:pk>/return/", review.application_return, name="application-return"),
    path(
        "applications/<int:pk>/terminate/",
        applications.application_terminate,
        name="application-terminate",
    ),
    path("applications/<int:pk>/agreement/", agreements.agreement_detail, name="agreement-detail"),
    path("applications/<int:pk>/agreement/sign/", agreements.agreement_sign, name="agreement-sign"),
    path(
        "applications/<int:pk>/agreement/paper/", agreements.agreement_paper, name="agreement-paper"
    ),
    path("applications/<int:pk>/agreement.pdf", printing.agreement_pdf, name="agreement-pdf"),
    # homeroom teacher (and admin)
    path("classes/", review.class_list, name="class-list"),
    path("classes/<int:pk>/survey/", surveys.class_survey, name="class-survey"),
    path("classes/<int:pk>/review/", review.class_review, name="class-review"),
    path("classes/<int:pk>/review/approve/", review.class_bulk_approve, name="class-bulk-approve"),
    path("classes/<int:pk>/submit/", review.class_submit, name="class-submit"),
    path(
        "classes/<int:pk>/paper/<int:student_pk>/",
        review.paper_application,
        name="paper-application",
    ),
    path(
        "classes/<int:pk>/paper/<int:student_pk>/opt-out/",
        optouts.paper_opt_out,
        name="paper-opt-out",
    ),
    # school admin
    path("roster/<int:pk>/leavers/", leavers.roster_leavers, name="roster-leavers"),
    path("surveys/", surveys.surveys, name="surveys"),
    path("surveys/open/", surveys.survey_open, name="survey-open"),
    path("surveys/<int:pk>/", surveys.survey_figures, name="survey-figures"),
    path("surveys/<int:pk>/close/", surveys.survey_close, name="survey-close"),
    path("submissions/", review.submissions, name="submissions"),
    path("submissions/<int:pk>/", review.submission_detail, name="submission-detail"),
    path("submissions/<int:pk>/approve/", review.submission_approve, name="submission-approve"),
    path("waivers/", waivers.waivers, name="waivers"),
    path("waivers/<int:pk>/decide/", waivers.waiver_decide, name="waiver-decide"),
    path("agreement-template/", agreements.agreement_template, name="agreement-template"),
    # printing (admin; homeroom for own class)
    path("print/", printing.agreements_print, name="agreements-print"),
    path("print/class/<int:pk>/", printing.agreements_print_class, name="agreements-print-class"),
    path(
        "print/grade/<int:grade>/", printing.agreements_print_grade, name="agreements-print-grade"
    ),
    path("print/jobs/<int:pk>/", printing.print_job_detail, name="print-job"),
    path("print/jobs/<int:pk>/download/", printing.print_job_download, name="print-job-download"),
    path("forms/application.pdf", printing.blank_application_form, name="blank-application-form"),
    path("forms/opt-out.pdf", printing.blank_opt_out_form, name="blank-opt-out-form"),
]
