"""Billing: fee policy under the county's cap, waivers, statements, payments.

Shape of the data (DESIGN.md "sessions attended or enrolled − leave − waivers
─► fee statements ─► payments ─► fee sheets"):

- ``FeePolicy`` (one per Term): the rate per period and billed periods per
  day (each under the school's cap, ``School.fee_cap_*`` with
  ``School.fee_document``), the billing mode and its settings, which absences
  are charged, whether partial waivers are allowed, and the per-period
  workload subsidy for teachers.
- ``Waiver``: 免收 (full) or a partial reduction (yuan per month, or a
  percentage) of one student's fee in a term from a date. A full waiver is
  created from enrollment's approved ``WaiverRequest``.
- ``FeeStatement`` + ``FeeLine``: one statement per student per month (or
  the term's prepayment / settlement), itemised to the day: each charged
  service day with its periods, each day not charged with its reason, each
  waiver or adjustment. ``total`` is always the sum of the lines.
- ``Payment``: money received (or refunded) against a statement; never
  touched by a recompute.

Money is ``Decimal`` yuan with two places. THE rounding rule: an amount is
rounded to the fen once, on its line, half up (``ROUND_HALF_UP``: 0.005 →
0.01); totals are sums of rounded lines and are never rounded again
(``billing.money.line_amount``).

One module per part: ``policy`` (policy, publication, rate changes,
waivers), ``statements`` (statements, lines, payments, fee sheet jobs),
``refunds`` (credits, refund batches); import from ``billing.models``.
"""

from billing.models.policy import (
    ZERO,
    BillingMode,
    FeePolicy,
    FeePublication,
    FeeRateChange,
    SettlementMode,
    Waiver,
    WaiverKind,
)
from billing.models.refunds import (
    FeeCredit,
    RefundBatch,
    RefundBatchStatus,
    RefundItem,
)
from billing.models.statements import (
    FeeLine,
    FeeSheetJob,
    FeeSheetJobStatus,
    FeeStatement,
    LineKind,
    Payment,
    PaymentKind,
    PaymentMethod,
    StatementKind,
)

__all__ = [
    "BillingMode",
    "FeeCredit",
    "FeeLine",
    "FeePolicy",
    "FeePublication",
    "FeeRateChange",
    "FeeSheetJob",
    "FeeSheetJobStatus",
    "FeeStatement",
    "LineKind",
    "Payment",
    "PaymentKind",
    "PaymentMethod",
    "RefundBatch",
    "RefundBatchStatus",
    "RefundItem",
    "SettlementMode",
    "StatementKind",
    "Waiver",
    "WaiverKind",
    "ZERO",
]
