"""Root URLs. The one module allowed to import every app (import-linter exception)."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("afterschool.urls_ops")),
    path("admin/", admin.site.urls),
    path("", include("afterschool.urls_accounts")),
]
