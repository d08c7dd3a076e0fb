"""Notices: the inbox, channel choices, the school's announcements."""

from django.urls import path

from afterschool.notices import views

app_name = "notices"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("read-all/", views.read_all, name="read-all"),
    path("preferences/", views.preferences, name="preferences"),
    path("announcements/", views.announcements, name="announcements"),
    path("announcements/<int:pk>/", views.announcement_detail, name="announcement-detail"),
]
