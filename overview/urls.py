"""URLs of the overview app: home to-dos, dashboards, county figures."""

from django.urls import path

from overview.county import views as county
from overview.dashboards import views as dashboards

app_name = "overview"

urlpatterns = [
    path("dashboard/", dashboards.dashboard, name="dashboard"),
    path("dashboard/pdf/", dashboards.dashboard_pdf, name="dashboard-pdf"),
    path("county/", county.county_page, name="county"),
    path("county/schools/<int:pk>/", county.school_page, name="county-school"),
    path("county/inspection.xlsx", county.inspection_xlsx, name="county-inspection-xlsx"),
]
