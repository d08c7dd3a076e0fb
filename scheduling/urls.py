from django.urls import path

from scheduling.attendance import views as attendance_views
from scheduling.calendar import views as calendar_views
from scheduling.choice import views as choice_views
from scheduling.clubs import views as club_views
from scheduling.homework import views as homework_views
from scheduling.pickup import views as pickup_views
from scheduling.rota import views as rota_views
from scheduling.timetable import views as timetable_views

app_name = "scheduling"

urlpatterns = [
    path("homework/", homework_views.homework_page, name="homework"),
    path("homework/family/", homework_views.homework_family, name="homework-family"),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/settings/", calendar_views.term_settings, name="term-settings"),
    path("calendar/day/", calendar_views.calendar_day_set, name="calendar-day-set"),
    path("calendar/day/delete/", calendar_views.calendar_day_delete, name="calendar-day-delete"),
    path("calendar/year/", calendar_views.calendar_year_mark, name="calendar-year-mark"),
    path("calendar/suspend/", calendar_views.service_suspend, name="service-suspend"),
    path("calendar/add/", calendar_views.service_add, name="service-add"),
    path(
        "calendar/change/<int:pk>/withdraw/",
        calendar_views.service_change_withdraw,
        name="service-change-withdraw",
    ),
    path("rota/", rota_views.rota_page, name="rota"),
    path("rota/generate/", rota_views.rota_generate, name="rota-generate"),
    path("rota/weekly/", rota_views.rota_assign_weekly, name="rota-assign-weekly"),
    path("rota/session/<int:pk>/", rota_views.session_assign, name="session-assign"),
    path("rota/unavailability/", rota_views.unavailability_page, name="unavailability"),
    path(
        "rota/unavailability/<int:pk>/delete/",
        rota_views.unavailability_delete,
        name="unavailability-delete",
    ),
    path("clubs/", club_views.club_list, name="club-list"),
    path("clubs/new/", club_views.club_edit, name="club-create"),
    path("clubs/<int:pk>/", club_views.club_edit, name="club-edit"),
    path("clubs/<int:pk>/delete/", club_views.club_delete, name="club-delete"),
    path("timetable/", timetable_views.timetable_me, name="timetable-me"),
    path("timetable/class/<int:pk>/", timetable_views.timetable_class, name="timetable-class"),
    path(
        "timetable/class/<int:pk>/pdf/",
        timetable_views.timetable_class,
        {"pdf": True},
        name="timetable-class-pdf",
    ),
    path(
        "timetable/student/<int:pk>/", timetable_views.timetable_student, name="timetable-student"
    ),
    path(
        "timetable/student/<int:pk>/pdf/",
        timetable_views.timetable_student,
        {"pdf": True},
        name="timetable-student-pdf",
    ),
    path("timetable/person/<int:pk>/", timetable_views.timetable_person, name="timetable-person"),
    path(
        "timetable/person/<int:pk>/pdf/",
        timetable_views.timetable_person,
        {"pdf": True},
        name="timetable-person-pdf",
    ),
    path("timetable/room/<int:pk>/", timetable_views.timetable_room, name="timetable-room"),
    path(
        "timetable/room/<int:pk>/pdf/",
        timetable_views.timetable_room,
        {"pdf": True},
        name="timetable-room-pdf",
    ),
    path("timetable/school/", timetable_views.timetable_school, name="timetable-school"),
    path(
        "timetable/school/pdf/",
        timetable_views.timetable_school,
        {"pdf": True},
        name="timetable-school-pdf",
    ),
    # Roll call, leave, dismissal
    path("attendance/", attendance_views.roll_index, name="roll-index"),
    path("attendance/session/<int:pk>/", attendance_views.roll, name="roll"),
    path("attendance/club/<int:pk>/", attendance_views.club_roll, name="club-roll"),
    path("attendance/absences/", attendance_views.absences, name="absences"),
    path("leave/", attendance_views.leave_list, name="leave-list"),
    path("leave/new/", attendance_views.leave_create, name="leave-create"),
    path("leave/<int:pk>/decide/", attendance_views.leave_decide, name="leave-decide"),
    path("leave/<int:pk>/cancel/", attendance_views.leave_cancel, name="leave-cancel"),
    path("dismissal/", attendance_views.dismissal_index, name="dismissal-index"),
    path("dismissal/class/<int:pk>/", attendance_views.dismissal_class, name="dismissal-class"),
    path("dismissal/<int:pk>/undo/", attendance_views.dismissal_undo, name="dismissal-undo"),
    path("dismissal/class/<int:pk>/all/", pickup_views.dismissal_all, name="dismissal-all"),
    path("pickup/student/<int:pk>/", pickup_views.pickup_people, name="pickup-people"),
    path("pickup/<int:pk>/delete/", pickup_views.pickup_delete, name="pickup-delete"),
    path("pickup/<int:pk>/photo/", pickup_views.pickup_photo, name="pickup-photo"),
    # Club choice, allocation and rosters.
    path("clubs/choose/", choice_views.choose_index, name="club-choose-index"),
    path("clubs/choose/<int:pk>/", choice_views.choose, name="club-choose"),
    path("clubs/windows/", choice_views.windows, name="choice-windows"),
    path("clubs/windows/<int:pk>/", choice_views.windows, name="choice-window-edit"),
    path("clubs/windows/<int:pk>/delete/", choice_views.window_delete, name="choice-window-delete"),
    path("clubs/allocation/", choice_views.allocation, name="allocation"),
    path("clubs/allocation/<int:pk>/", choice_views.allocation_run, name="allocation-run"),
    path(
        "clubs/allocation/<int:pk>/publish/",
        choice_views.allocation_publish,
        name="allocation-publish",
    ),
    path(
        "clubs/allocation/entry/<int:pk>/withdraw/",
        choice_views.allocation_withdraw,
        name="allocation-withdraw",
    ),
    path(
        "clubs/allocation/entry/<int:pk>/move/",
        choice_views.allocation_move,
        name="allocation-move",
    ),
    path("clubs/rosters/", choice_views.rosters, name="club-rosters"),
    path("clubs/<int:pk>/roster/", choice_views.roster, name="club-roster"),
    path("clubs/<int:pk>/roster/pdf/", choice_views.roster, {"pdf": True}, name="club-roster-pdf"),
]
