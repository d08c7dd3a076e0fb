"""Root URLs. The one module allowed to import every app (import-linter exception)."""

from django.contrib import admin
from django.urls import include, path

from overview.home import views as home

urlpatterns = [
    path("", home.home, name="home"),
    path("", include("afterschool.urls_ops")),
    path("admin/", admin.site.urls),
    path("", include("afterschool.urls_accounts")),
    path("people/", include("afterschool.urls_people")),
    path("roster/", include("afterschool.urls_roster")),
    path("scheduling/", include("scheduling.urls")),
    path("enrollment/", include("enrollment.urls")),
    path("billing/", include("billing.urls")),
    path("overview/", include("overview.urls")),
    path("notices/", include("afterschool.urls_notices")),
    path("api/v1/county/", include("overview.urls_api")),
]
