from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("policy/", views.policy, name="policy"),
    path("statements/", views.statements, name="statements"),
    path("statements/generate/", views.statements_generate, name="statements-generate"),
    path("statements/settle/", views.settlement_generate, name="settlement-generate"),
    path("statements/<int:pk>/", views.statement_detail, name="statement-detail"),
    path("family/", views.family, name="family"),
    path("waivers/", views.waivers, name="waivers"),
    path("fee-sheet/", views.fee_sheet, name="fee-sheet"),
    path("workload/", views.workload, name="workload"),
]
