"""The school's people: students, classes, rooms, guardians, staff."""

from django.urls import path

from afterschool.people import views as people

app_name = "people"

urlpatterns = [
    path("students/", people.StudentListView.as_view(), name="student-list"),
    path("students/<int:pk>/", people.student_detail, name="student-detail"),
    path("classes/", people.SchoolClassListView.as_view(), name="class-list"),
    path("rooms/", people.RoomListView.as_view(), name="room-list"),
    path("guardians/", people.GuardianListView.as_view(), name="guardian-list"),
    path("staff/", people.StaffListView.as_view(), name="staff-list"),
]
