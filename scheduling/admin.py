from django.contrib import admin

from scheduling.models import (
    CalendarDay,
    CalendarYear,
    Club,
    ServiceChange,
    Session,
    StaffUnavailability,
    TermSchedule,
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


@admin.register(Club)
class ClubAdmin(admin.ModelAdmin):
    list_display = ["name", "term", "category", "capacity", "teacher", "room", "weekday", "period"]
    list_filter = ["term", "category"]
