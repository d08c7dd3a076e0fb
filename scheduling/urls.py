from django.urls import path

from scheduling import attendance_views, choice_views, views

app_name = "scheduling"

urlpatterns = [
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/settings/", views.term_settings, name="term-settings"),
    path("calendar/day/", views.calendar_day_set, name="calendar-day-set"),
    path("calendar/day/delete/", views.calendar_day_delete, name="calendar-day-delete"),
    path("calendar/year/", views.calendar_year_mark, name="calendar-year-mark"),
    path("calendar/suspend/", views.service_suspend, name="service-suspend"),
    path("calendar/add/", views.service_add, name="service-add"),
    path(
        "calendar/change/<int:pk>/withdraw/",
        views.service_change_withdraw,
        name="service-change-withdraw",
    ),
    path("rota/", views.rota_page, name="rota"),
    path("rota/generate/", views.rota_generate, name="rota-generate"),
    path("rota/session/<int:pk>/", views.session_assign, name="session-assign"),
    path("rota/unavailability/", views.unavailability_page, name="unavailability"),
    path(
        "rota/unavailability/<int:pk>/delete/",
        views.unavailability_delete,
        name="unavailability-delete",
    ),
    path("clubs/", views.club_list, name="club-list"),
    path("clubs/new/", views.club_edit, name="club-create"),
    path("clubs/<int:pk>/", views.club_edit, name="club-edit"),
    path("clubs/<int:pk>/delete/", views.club_delete, name="club-delete"),
    path("timetable/", views.timetable_me, name="timetable-me"),
    path("timetable/class/<int:pk>/", views.timetable_class, name="timetable-class"),
    path(
        "timetable/class/<int:pk>/pdf/",
        views.timetable_class,
        {"pdf": True},
        name="timetable-class-pdf",
    ),
    path("timetable/student/<int:pk>/", views.timetable_student, name="timetable-student"),
    path(
        "timetable/student/<int:pk>/pdf/",
        views.timetable_student,
        {"pdf": True},
        name="timetable-student-pdf",
    ),
    path("timetable/person/<int:pk>/", views.timetable_person, name="timetable-person"),
    path(
        "timetable/person/<int:pk>/pdf/",
        views.timetable_person,
        {"pdf": True},
        name="timetable-person-pdf",
    ),
    path("timetable/room/<int:pk>/", views.timetable_room, name="timetable-room"),
    path(
        "timetable/room/<int:pk>/pdf/",
        views.timetable_room,
        {"pdf": True},
        name="timetable-room-pdf",
    ),
    path("timetable/school/", views.timetable_school, name="timetable-school"),
    path(
        "timetable/school/pdf/", views.timetable_school, {"pdf": True}, name="timetable-school-pdf"
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
    # Club choice, allocation and rosters (scheduling/choice_views.py).
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
