"""Back-office (superuser) views of enrollment rows. School staff work in
the enrollment pages; status changes go through the services, so the status
and the frozen agreement text are read-only here. Rows with an audit trail
have a "历史" (history) button listing every version with who
changed what and when (django-simple-history's SimpleHistoryAdmin)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from enrollment.models import (
    Agreement,
    AgreementTemplate,
    Application,
    ApplicationEvent,
    ClassSubmission,
    EnrollmentSettings,
    OptOut,
    PrintJob,
    Survey,
    SurveyResponse,
    WaiverRequest,
)


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "by", "at", "reason")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    list_display = ("student", "term", "status", "waiver_requested", "on_paper", "submitted_at")
    list_filter = ("status", "term__school", "waiver_requested", "on_paper")
    search_fields = ("student__name", "student__student_number")
    list_select_related = ("student", "term")
    raw_id_fields = ("student", "created_by", "class_submission")
    readonly_fields = ("status", "submitted_at", "last_reason")
    inlines = [ApplicationEventInline]


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = (
        "application",
        "template_version",
        "signed_name",
        "signed_at",
        "paper_received_at",
    )
    raw_id_fields = ("application",)
    readonly_fields = (
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


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(SimpleHistoryAdmin):
    list_display = ("school", "version", "created_by", "created_at")
    list_filter = ("school",)

    def get_readonly_fields(self, request, obj=None):
        # A saved version is never edited in place.
        return ("school", "version", "body", "created_by", "created_at") if obj else ()


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("term", "school", "opened_at", "closed_at")
    list_filter = ("school",)


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ("student", "survey", "answer", "on_paper", "updated_at")
    list_filter = ("answer", "on_paper")
    raw_id_fields = ("student", "recorded_by")


@admin.register(ClassSubmission)
class ClassSubmissionAdmin(SimpleHistoryAdmin):
    list_display = ("school_class", "term", "submitted_by", "submitted_at", "approved_at")


@admin.register(WaiverRequest)
class WaiverRequestAdmin(SimpleHistoryAdmin):
    list_display = ("application", "status", "decided_by", "decided_at")
    list_filter = ("status",)
    raw_id_fields = ("application",)


@admin.register(OptOut)
class OptOutAdmin(SimpleHistoryAdmin):
    list_display = ("student", "term", "declared_by", "declared_at", "on_paper", "revoked_at")
    raw_id_fields = ("student",)
    readonly_fields = ("statement",)


admin.site.register(EnrollmentSettings)


@admin.register(PrintJob)
class PrintJobAdmin(admin.ModelAdmin):
    """Print jobs are made and run by the pages and the worker; the back
    office only looks (at failures mostly)."""

    list_display = ("__str__", "school", "requested_by", "status", "done", "total", "created_at")
    list_filter = ("status", "school")
    list_select_related = ("school", "school_class", "requested_by")
    exclude = ("pdf",)
    readonly_fields = (
        "school",
        "term",
        "requested_by",
        "school_class",
        "grade",
        "status",
        "done",
        "total",
        "pages",
        "size",
        "task_id",
        "error",
        "created_at",
        "started_at",
        "finished_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pdf")

    def has_add_permission(self, request):
        return False
