"""Roster import pages for school admins (namespace ``roster``)."""

from django.urls import path

from afterschool.rollover import views as rollover
from afterschool.roster import views as roster

app_name = "roster"

urlpatterns = [
    path("", roster.upload, name="upload"),
    path("<int:pk>/", roster.preview, name="preview"),
    path("<int:pk>/confirm/", roster.confirm, name="confirm"),
    path("letters/", roster.letters, name="letters"),
    path("rollover/", rollover.rollover, name="rollover"),
    path("letters/<int:pk>/", roster.class_letters, name="class-letters"),
    path("guardians/<int:pk>/reset/", roster.guardian_reset, name="guardian-reset"),
]
