"""Billing pages (namespace ``billing``), one view module per sub-domain."""

from django.urls import path

from billing.payments import views as payments
from billing.policy import views as policy
from billing.publicity import views as publicity
from billing.refunds import views as refunds
from billing.sheets import views as sheets
from billing.statements import views as statements
from billing.terms import views as terms
from billing.waivers import views as waivers
from billing.workload import views as workload

app_name = "billing"

urlpatterns = [
    path("policy/", policy.policy, name="policy"),
    path("policy/rate-change/", policy.rate_change, name="rate-change"),
    path("policy/document/", policy.fee_document, name="fee-document"),
    path("terms/new/", terms.term_new, name="term-new"),
    path("statements/", statements.statements, name="statements"),
    path("statements/generate/", statements.statements_generate, name="statements-generate"),
    path("statements/settle/", statements.settlement_generate, name="settlement-generate"),
    path("statements/<int:pk>/", statements.statement_detail, name="statement-detail"),
    path("family/", statements.family, name="family"),
    path("waivers/", waivers.waivers, name="waivers"),
    path("fee-sheet/", sheets.fee_sheet, name="fee-sheet"),
    path("fee-sheet/jobs/<int:pk>/", sheets.fee_sheet_job, name="fee-sheet-job"),
    path(
        "fee-sheet/jobs/<int:pk>/download/",
        sheets.fee_sheet_job_download,
        name="fee-sheet-job-download",
    ),
    path("workload/", workload.workload, name="workload"),
    path("payments/list/", payments.payment_list_export, name="payment-list"),
    path("payments/import/", payments.payment_import_page, name="payment-import"),
    path("payments/reconciliation/", payments.reconciliation_page, name="reconciliation"),
    path("refunds/", refunds.refunds, name="refunds"),
    path("refunds/<int:pk>/", refunds.refund_batch, name="refund-batch"),
    path("refunds/<int:pk>/export/", refunds.refund_batch_export, name="refund-batch-export"),
    path("publicity/", publicity.publicity, name="publicity"),
    # Public: no login, no personal data (收费公示).
    path("fees/<int:pk>/", publicity.fee_notice_page, name="fee-notice"),
    path("fees/<int:pk>/pdf/", publicity.fee_notice_pdf, name="fee-notice-pdf"),
]
