from django.contrib import admin

from scheduling.models import (
    Attendance,
    CalendarDay,
    CalendarYear,
    Club,
    Dismissal,
    LeaveRequest,
    ServiceChange,
    Session,
    StaffUnavailability,
    TermSchedule,
    WeeklySupervisor,
)


@admin.register(TermSchedule)
class TermScheduleAdmin(admin.ModelAdmin):
    list_display = ["term", "featured_weekday", "service_on_makeup_days"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["school", "date", "kind", "name", "follows_weekday"]
    list_filter = ["school", "kind"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["school", "year", "entered_by", "entered_at"]


@admin.register(ServiceChange)
class ServiceChangeAdmin(admin.ModelAdmin):
    list_display = ["school", "date", "kind", "notice"]
    list_filter = ["school", "kind"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["date", "period", "school_class", "room", "supervisor", "is_manual"]
    list_filter = ["term", "period", "is_manual"]
    list_select_related = ["school_class", "room", "supervisor"]
    raw_id_fields = ["school_class", "room", "supervisor"]


@admin.register(StaffUnavailability)
class StaffUnavailabilityAdmin(admin.ModelAdmin):
    list_display = ["person", "date", "weekday", "period", "reason"]


@admin.register(WeeklySupervisor)
class WeeklySupervisorAdmin(admin.ModelAdmin):
    list_display = ["term", "weekday", "period", "school_class", "supervisor"]
    list_filter = ["term", "weekday", "period"]
    list_select_related = ["term", "school_class", "supervisor"]
    raw_id_fields = ["school_class", "supervisor"]


@admin.register(Club)
class ClubAdmin(admin.ModelAdmin):
    list_display = ["name", "term", "category", "capacity", "teacher", "room", "weekday", "period"]
    list_filter = ["term", "category"]


@admin.register(LeaveRequest)
class LeaveRequestAdmin(admin.ModelAdmin):
    list_display = ["student", "first_day", "last_day", "kind", "periods", "status", "decided_by"]
    list_filter = ["status", "kind", "term"]
    raw_id_fields = ["student", "requested_by", "decided_by"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["date", "period", "student", "status", "marked_by"]
    list_filter = ["status", "period"]
    raw_id_fields = ["session", "club", "student", "leave", "marked_by"]
    date_hierarchy = "date"


@admin.register(Dismissal)
class DismissalAdmin(admin.ModelAdmin):
    list_display = ["date", "student", "left_at", "alone", "collected_by", "recorded_by"]
    raw_id_fields = ["student", "recorded_by"]
    date_hierarchy = "date"
