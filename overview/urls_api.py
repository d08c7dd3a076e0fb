"""The read-only JSON API for the regional platform, versioned in the URL
(mounted at /api/v1/county/ by the root URLs). A token per county, sent as
``Authorization: Bearer <token>``; see the README."""

from django.urls import path

from overview.county import views as county

app_name = "county-api"

urlpatterns = [
    path("figures/", county.api_figures, name="figures"),
]
