"""The Django admin for back-office fixes: every afterschool model, Chinese
labels (from the models' verbose names), search, list filters and
``list_select_related`` so change lists run a fixed number of queries.

ID numbers are masked in every change list; the full number appears only on a
student's change form.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from afterschool.models import (
    GRADE_NAMES,
    ActivationCode,
    ActivationThrottle,
    Announcement,
    ClassMembership,
    County,
    Delivery,
    Guardian,
    Guardianship,
    Notice,
    NoticePreference,
    PickupPerson,
    Room,
    RosterUpload,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    Term,
    User,
)
from afterschool.notices.services import notices_claim
from afterschool.people.tables import masked_student_number
from afterschool.services import user_set_role

admin.site.site_header = _("课后服务 · 后台管理")
admin.site.site_title = _("课后服务后台")
admin.site.index_title = _("数据维护")


class GradeFilter(admin.SimpleListFilter):
    """年级 by name (三年级), not by the bare number."""

    title = _("年级")
    parameter_name = "grade"
    grade_lookup = "school_class__grade"

    def lookups(self, request, model_admin):
        return sorted(GRADE_NAMES.items())

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.grade_lookup: self.value()})
        return queryset


class ClassGradeFilter(GradeFilter):
    grade_lookup = "grade"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "name", "school", "role", "mobile", "is_active", "last_login")
    list_filter = ("role", "school", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "name", "mobile")
    list_select_related = ("school",)
    ordering = ("school__name", "role", "username")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("学校与角色"), {"fields": ("name", "school", "role", "county", "mobile", "email")}),
        (
            _("权限"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "name",
                    "school",
                    "role",
                    "county",
                    "mobile",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def save_related(self, request, form, formsets, change):
        # The role's group follows the role field (services.user_set_role);
        # after the form's own groups are saved, or they would overwrite it.
        super().save_related(request, form, formsets, change)
        user = form.instance
        if user.role and ("role" in form.changed_data or not change):
            user_set_role(user=user, role=user.role)


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    """县教体局. The API token is issued in code (overview.county.services);
    only its hash is kept and shown."""

    list_display = ("name", "api_token_issued_at")
    readonly_fields = ("api_token_hash", "api_token_issued_at")
    search_fields = ("name",)


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "county", "supervising_county", "phone")
    search_fields = ("name", "short_name", "county")
    list_filter = ("county",)


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = ("__str__", "school", "start_year")
    list_filter = ("school", "start_year")
    search_fields = ("school__name",)
    list_select_related = ("school",)


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("name", "school", "school_year", "first_day", "last_day")
    list_filter = ("school", "school_year__start_year")
    search_fields = ("name", "school__name")
    list_select_related = ("school", "school_year")
    date_hierarchy = "first_day"


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "school", "kind", "capacity")
    list_filter = ("school", "kind")
    search_fields = ("name", "school__name")
    list_select_related = ("school",)


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ("display_name", "school", "school_year", "homeroom_teacher", "room")
    list_filter = ("school", "school_year__start_year", ClassGradeFilter)
    search_fields = ("school__name", "homeroom_teacher__name")
    list_select_related = ("school", "school_year", "homeroom_teacher", "room")
    autocomplete_fields = ("homeroom_teacher", "room")
    ordering = ("school__name", "grade", "number")

    @admin.display(description=_("班级"), ordering="grade")
    def display_name(self, obj):
        return obj.display_name


class GuardianshipInline(admin.TabularInline):
    model = Guardianship
    extra = 0
    autocomplete_fields = ("guardian",)


@admin.register(Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "masked_number",
        "school_class",
        "gender",
        "masked_id",
        "is_boarder",
        "priority",
    )
    list_filter = (
        "school",
        GradeFilter,
        "gender",
        "is_boarder",
        "is_migrant_child",
        "is_left_behind",
        "is_disabled",
        "is_financial_hardship",
    )
    search_fields = ("name", "student_number")
    list_select_related = ("school_class", "school")
    autocomplete_fields = ("school_class",)
    inlines = [GuardianshipInline]
    readonly_fields = ("created_at",)

    @admin.display(description=_("学籍号"), ordering="student_number")
    def masked_number(self, obj):
        return masked_student_number(obj)

    @admin.display(description=_("身份证号"))
    def masked_id(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("优先保障"))
    def priority(self, obj):
        return "、".join(obj.priority_labels) or "—"


@admin.register(Guardian)
class GuardianAdmin(admin.ModelAdmin):
    list_display = ("name", "mobile", "school", "user", "wecom_parent_userid")
    list_filter = ("school",)
    search_fields = ("name", "mobile", "wecom_parent_userid")
    list_select_related = ("school", "user")
    raw_id_fields = ("user",)
    inlines = [GuardianshipInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.user_id is not None and "user" in form.changed_data:
            # Notices sent while the record had no login go to its inbox.
            notices_claim(user=obj.user)


@admin.register(Guardianship)
class GuardianshipAdmin(admin.ModelAdmin):
    list_display = ("student", "guardian", "relation")
    list_filter = ("relation", "student__school")
    search_fields = ("student__name", "guardian__name", "guardian__mobile")
    list_select_related = ("student", "guardian")
    autocomplete_fields = ("student", "guardian")


@admin.register(ClassMembership)
class ClassMembershipAdmin(admin.ModelAdmin):
    """A student's class of one school year; a past year's rows are history."""

    list_display = ("student", "school_class", "start_date", "end_date", "leave_reason")
    list_filter = ("school_class__school_year", "leave_reason")
    search_fields = ("student__name",)
    list_select_related = ("student", "school_class")
    autocomplete_fields = ("student", "school_class")


@admin.register(ActivationThrottle)
class ActivationThrottleAdmin(admin.ModelAdmin):
    """Failed activation attempts per hashed mobile (no mobile is stored)."""

    list_display = ("mobile_key", "failures", "first_failure_at", "locked_until")
    readonly_fields = ("mobile_key",)


@admin.register(ActivationCode)
class ActivationCodeAdmin(admin.ModelAdmin):
    # The hash is useless to a person and is not shown; codes are issued by
    # the roster import, so nothing is added here by hand.
    list_display = ("user", "created_at", "expires_at", "used_at")
    list_filter = ("used_at", "expires_at")
    search_fields = ("user__username", "user__name")
    list_select_related = ("user",)
    fields = ("user", "created_at", "expires_at", "used_at")
    readonly_fields = ("user", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(RosterUpload)
class RosterUploadAdmin(admin.ModelAdmin):
    # The file's bytes hold children's ID numbers: never shown here; the
    # upload is previewed and confirmed on the school admin's own page.
    list_display = ("filename", "school", "start_year", "uploaded_by", "created_at", "confirmed_at")
    list_filter = ("school", "confirmed_at")
    search_fields = ("filename",)
    list_select_related = ("school", "uploaded_by")
    fields = ("filename", "school", "start_year", "uploaded_by", "created_at", "confirmed_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


# ---------------------------------------------------------------- notices


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["title", "school", "audience", "school_class", "created_at"]
    list_filter = ["school", "audience"]
    search_fields = ["title"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "guardian", "kind", "created_at", "read_at"]
    list_filter = ["kind", "school"]
    search_fields = ["title"]
    raw_id_fields = ["recipient", "guardian", "announcement"]


@admin.register(NoticePreference)
class NoticePreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "sms", "wecom"]
    raw_id_fields = ["user"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Each outside delivery's result, for back-office checks."""

    list_display = ["notice", "channel", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["channel", "status"]
    readonly_fields = ["notice", "attempts", "last_error", "provider_reply", "sent_at"]


@admin.register(PickupPerson)
class PickupPersonAdmin(admin.ModelAdmin):
    """Pickup people; mobiles masked in the list, the photo never shown here."""

    list_display = ["name", "relation", "student", "masked_mobile"]
    search_fields = ["name", "student__name"]
    raw_id_fields = ["student", "added_by"]
