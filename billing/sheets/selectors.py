"""The fee sheet of a school or a class for a month or the whole term."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from afterschool.idnumbers import mask_embedded_id_number
from afterschool.models import GRADE_NAMES, School, SchoolClass, Term
from afterschool.selectors import school_fee_cap
from billing.models import (
    BillingMode,
    FeeLine,
    FeePolicy,
    FeeRateChange,
    FeeStatement,
    LineKind,
    Payment,
    PaymentKind,
    StatementKind,
)
from billing.money import ZERO, to_fen
from billing.months import month_end, month_start
from billing.policy.selectors import policy_as_billed, rates_between
from billing.statements.selectors import MONEY

CHARGE_KINDS = (LineKind.CHARGE, LineKind.PREPAY)


@dataclass
class SheetRow:
    """One student's line on a fee sheet (收费明细表)."""

    class_name: str
    student_number: str
    name: str
    days: int = 0
    periods: int = 0
    charged: Decimal = ZERO
    deductions: Decimal = ZERO
    total: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        """Owed (> 0) or credit carried forward (< 0)."""
        return self.total - self.paid

    @property
    def owed(self) -> Decimal:
        """Yuan owed to the school (欠费), never negative."""
        return max(self.balance, ZERO)

    @property
    def credit(self) -> Decimal:
        """Yuan held for the family (结余), shown positive."""
        return max(-self.balance, ZERO)


@dataclass
class FeeSheet:
    """A fee sheet for a school or a class, for a month or the whole term."""

    school: School
    term: Term
    title: str
    period_label: str
    # The policy the statements were billed by (``policy_as_billed``) and
    # the rates per period in force over the period, (from date, yuan).
    policy: FeePolicy | None
    school_class: SchoolClass | None = None
    rows: list[SheetRow] = field(default_factory=list)
    rates: list[tuple[datetime.date, Decimal]] = field(default_factory=list)

    @property
    def totals(self) -> SheetRow:
        return SheetRow(
            class_name="",
            student_number="",
            name="合计",
            days=sum(r.days for r in self.rows),
            periods=sum(r.periods for r in self.rows),
            charged=sum((r.charged for r in self.rows), ZERO),
            deductions=sum((r.deductions for r in self.rows), ZERO),
            total=sum((r.total for r in self.rows), ZERO),
            paid=sum((r.paid for r in self.rows), ZERO),
        )

    @property
    def standard(self) -> str:
        """「收费标准：每课时 <rate> 元（<date>起 <rate> 元），每天最多 <n> 课时
        （<county document>）；<mode and its tiers or prepaid days>」: the
        policy the sheet's statements were billed by (``policy``, else the
        school's cap) and the rates in force over the sheet's period
        (``rates``, from ``billing.policy.selectors.rates_between``)."""
        policy = self.policy
        if policy is None:
            cap = school_fee_cap(self.school)
            periods = cap.periods_per_day
        else:
            periods = policy.periods_per_day
        rates = self.rates or [(None, policy.rate_per_period if policy else cap.per_period)]
        rate = str(rates[0][1]) + "".join(
            _("，%(day)s起 %(rate)s") % {"day": _long_date(day), "rate": r} for day, r in rates[1:]
        )
        doc = f"（{self.school.fee_document}）" if self.school.fee_document else ""
        text = _("收费标准：每课时 %(rate)s 元，每天最多 %(n)s 课时%(doc)s") % {
            "rate": rate,
            "n": periods,
            "doc": doc,
        }
        mode = policy.mode if policy is not None else BillingMode.PER_PERIOD
        if mode == BillingMode.MONTHLY:
            text += _(
                "；按月定额 %(full)s 元，服务不足 %(days)s 天 %(reduced)s 元，"
                "不超过服务天数 × 每天上限"
            ) % {
                "full": policy.monthly_amount,
                "days": policy.monthly_threshold_days,
                "reduced": policy.monthly_reduced_amount,
            }
        elif mode == BillingMode.PREPAY:
            text += _("；学期预收 %(days)s 天，期末按实际服务结算") % {"days": policy.prepay_days}
        else:
            text += _("；按实际服务课时收费")
        return text


def _long_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def fee_sheet(
    *, term: Term, month: datetime.date | None = None, school_class: SchoolClass | None = None
) -> FeeSheet:
    """The fee sheet of ``term``'s school (or one class) for ``month`` (any
    date in it) or, when ``month`` is None, the whole term: one row per
    student billed, summing statements. The header names the policy the
    period was billed by (``billing.policy.selectors.policy_as_billed``)
    and the rates in force in it (``rates_between``), not today's. Five
    queries: the policy as billed, the rate changes, the statements summed
    per student, the lines split into charges and deductions, the payments
    per student."""
    statements = FeeStatement.objects.filter(term=term)
    if month is not None:
        statements = statements.filter(month=month_start(month))
        period_label = f"{month.year}年{month.month}月"
        first = max(month_start(month), term.first_day)
        last = min(month_end(month), term.last_day)
    else:
        period_label = str(term)
        first, last = term.first_day, term.last_day
    if school_class is not None:
        statements = statements.filter(school_class=school_class)
    scope = school_class.display_name if school_class else ""
    title = f"{term.school.name}{scope}课后服务收费明细表"
    policy = policy_as_billed(term=term, statements=statements)
    base = policy.rate_per_period if policy else school_fee_cap(term.school).per_period
    sheet = FeeSheet(
        school=term.school,
        term=term,
        title=title,
        period_label=period_label,
        policy=policy,
        school_class=school_class,
        rates=rates_between(
            base=base,
            changes=FeeRateChange.objects.filter(term=term),
            first=first,
            last=last,
        ),
    )
    rows = _student_rows(statements)
    _add_line_sums(rows, statements)
    _add_payments(rows, statements)
    sheet.rows = list(rows.values())
    return sheet


def _student_rows(statements: QuerySet[FeeStatement]) -> dict[int, SheetRow]:
    """Student id → row with the statements' days and periods served and
    total summed, in class and 学籍号 order. One query."""
    base = statements.values(
        "student_id",
        "student__name",
        "student__student_number",
        "student__id_number",
        "school_class__grade",
        "school_class__number",
    ).order_by("school_class__grade", "school_class__number", "student__student_number")
    rows: dict[int, SheetRow] = {}
    # A prepayment's days and periods are the estimate (e.g. 100 days), not
    # service: the days and periods served come from the other statements
    # (the months, or the term-end settlement).
    served = ~Q(kind=StatementKind.PREPAY)
    for r in base.annotate(
        days_sum=Sum("days", filter=served),
        periods_sum=Sum("periods", filter=served),
        total_sum=Sum("total"),
    ):
        rows[r["student_id"]] = SheetRow(
            class_name=f"{GRADE_NAMES[r['school_class__grade']]}（{r['school_class__number']}）班",
            # The 学籍号 embeds the ID number: masked, as on every list.
            student_number=mask_embedded_id_number(
                r["student__student_number"], r["student__id_number"]
            ),
            name=r["student__name"],
            days=r["days_sum"] or 0,
            periods=r["periods_sum"] or 0,
            total=to_fen(r["total_sum"] or ZERO),
        )
    return rows


def _add_line_sums(rows: dict[int, SheetRow], statements: QuerySet[FeeStatement]) -> None:
    """Charges and deductions of the statements' lines, per student. One query."""
    for r in (
        FeeLine.objects.filter(statement__in=statements)
        .values("statement__student_id")
        .annotate(
            charged=Coalesce(
                Sum("amount", filter=Q(kind__in=CHARGE_KINDS)), Value(ZERO), output_field=MONEY
            ),
            other=Coalesce(
                Sum("amount", filter=~Q(kind__in=CHARGE_KINDS)), Value(ZERO), output_field=MONEY
            ),
        )
        .order_by()
    ):
        row = rows.get(r["statement__student_id"])
        if row:
            row.charged, row.deductions = to_fen(r["charged"]), to_fen(r["other"])


def _add_payments(rows: dict[int, SheetRow], statements: QuerySet[FeeStatement]) -> None:
    """Payments − refunds on the statements, per student. One query."""
    for r in (
        Payment.objects.filter(statement__in=statements)
        .values("student_id")
        .annotate(
            paid=Coalesce(
                Sum("amount", filter=Q(kind=PaymentKind.PAYMENT)), Value(ZERO), output_field=MONEY
            ),
            refunded=Coalesce(
                Sum("amount", filter=Q(kind=PaymentKind.REFUND)), Value(ZERO), output_field=MONEY
            ),
        )
        .order_by()
    ):
        row = rows.get(r["student_id"])
        if row:
            row.paid = to_fen(r["paid"] - r["refunded"])
