"""Notices: the inbox, channel choices, announcements, guardians' WeCom ids."""

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
    path("guardians/<int:pk>/wecom/", views.guardian_wecom, name="guardian-wecom"),
]
