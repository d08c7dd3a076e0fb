"""Enrollment URLs (namespace ``enrollment``)."""

from django.urls import path

from enrollment import views

app_name = "enrollment"

urlpatterns = [
    # guardian
    path("", views.family, name="family"),
    path("survey/<int:student_pk>/", views.survey_answer, name="survey-answer"),
    path("apply/<int:student_pk>/", views.application_edit, name="application-edit"),
    path("opt-out/<int:student_pk>/", views.opt_out, name="opt-out"),
    # one application, any role that may see it
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path(
        "applications/<int:pk>/withdraw/", views.application_withdraw, name="application-withdraw"
    ),
    path("applications/<int:pk>/approve/", views.application_approve, name="application-approve"),
    path("applications/<int:pk>/return/", views.application_return, name="application-return"),
    path(
        "applications/<int:pk>/terminate/",
        views.application_terminate,
        name="application-terminate",
    ),
    path("applications/<int:pk>/agreement/", views.agreement_detail, name="agreement-detail"),
    path("applications/<int:pk>/agreement/sign/", views.agreement_sign, name="agreement-sign"),
    path("applications/<int:pk>/agreement/paper/", views.agreement_paper, name="agreement-paper"),
    path("applications/<int:pk>/agreement.pdf", views.agreement_pdf, name="agreement-pdf"),
    # homeroom teacher (and admin)
    path("classes/", views.class_list, name="class-list"),
    path("classes/<int:pk>/survey/", views.class_survey, name="class-survey"),
    path("classes/<int:pk>/review/", views.class_review, name="class-review"),
    path("classes/<int:pk>/review/approve/", views.class_bulk_approve, name="class-bulk-approve"),
    path("classes/<int:pk>/submit/", views.class_submit, name="class-submit"),
    path(
        "classes/<int:pk>/paper/<int:student_pk>/",
        views.paper_application,
        name="paper-application",
    ),
    path(
        "classes/<int:pk>/paper/<int:student_pk>/opt-out/",
        views.paper_opt_out,
        name="paper-opt-out",
    ),
    # school admin
    path("surveys/", views.surveys, name="surveys"),
    path("surveys/open/", views.survey_open, name="survey-open"),
    path("surveys/<int:pk>/", views.survey_figures, name="survey-figures"),
    path("surveys/<int:pk>/close/", views.survey_close, name="survey-close"),
    path("submissions/", views.submissions, name="submissions"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission-detail"),
    path("submissions/<int:pk>/approve/", views.submission_approve, name="submission-approve"),
    path("waivers/", views.waivers, name="waivers"),
    path("waivers/<int:pk>/decide/", views.waiver_decide, name="waiver-decide"),
    path("agreement-template/", views.agreement_template, name="agreement-template"),
    # printing (admin; homeroom for own class)
    path("print/", views.agreements_print, name="agreements-print"),
    path("print/class/<int:pk>/", views.agreements_print_class, name="agreements-print-class"),
    path("print/grade/<int:grade>/", views.agreements_print_grade, name="agreements-print-grade"),
    path("print/jobs/<int:pk>/", views.print_job_detail, name="print-job"),
    path("print/jobs/<int:pk>/download/", views.print_job_download, name="print-job-download"),
    path("forms/application.pdf", views.blank_application_form, name="blank-application-form"),
    path("forms/opt-out.pdf", views.blank_opt_out_form, name="blank-opt-out-form"),
]
