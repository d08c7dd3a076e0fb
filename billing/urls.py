"""Billing pages (namespace ``billing``), one view module per sub-domain."""

from django.urls import path

from billing.policy import views as policy
from billing.sheets import views as sheets
from billing.statements import views as statements
from billing.terms import views as terms
from billing.waivers import views as waivers
from billing.workload import views as workload

app_name = "billing"

urlpatterns = [
    path("policy/", policy.policy, name="policy"),
    path("terms/new/", terms.term_new, name="term-new"),
    path("statements/", statements.statements, name="statements"),
    path("statements/generate/", statements.statements_generate, name="statements-generate"),
    path("statements/settle/", statements.settlement_generate, name="settlement-generate"),
    path("statements/<int:pk>/", statements.statement_detail, name="statement-detail"),
    path("family/", statements.family, name="family"),
    path("waivers/", waivers.waivers, name="waivers"),
    path("fee-sheet/", sheets.fee_sheet, name="fee-sheet"),
    path("workload/", workload.workload, name="workload"),
]
