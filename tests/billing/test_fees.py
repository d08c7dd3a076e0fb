"""The fee arithmetic to the fen.

Autumn 2024 from Mon 2 Sep: September has 21 service days — 2–6, 9–13,
Sat 14 (make-up day), 18–20, 23–27, Sun 29 (make-up day) and 30; 16–17 Sep
are the Mid-autumn holiday."""

from __future__ import annotations

from decimal import Decimal

import pytest

from afterschool.models import Term
from billing.models import (
    BillingMode,
    FeeCredit,
    FeeLine,
    FeePolicy,
    FeeStatement,
    LineKind,
    WaiverKind,
)
from billing.money import line_amount, percent_of, to_fen
from billing.payments.services import payment_record
from billing.policy.services import fee_policy_save
from billing.statements.selectors import statement_paid
from billing.statements.services import settlement_generate, statements_generate
from billing.waivers.services import waiver_create
from tests.billing.conftest import SEPT, D, approve_leave, enrol


def statement_of(student, month=SEPT):
    return FeeStatement.objects.get(student=student, month=month)


OCT = D(2024, 10, 1)


def total_of(statement, kind):
    return sum(
        FeeLine.objects.filter(statement=statement, kind=kind).values_list("amount", flat=True)
    )


def lines_total(statement):
    return sum(FeeLine.objects.filter(statement=statement).values_list("amount", flat=True))


class TestMoney:
    def test_seventeen_times_four_fifteen_is_exact(self):
        # The float fault DESIGN.md warns of printed 70.49.
        assert line_amount(17, Decimal("4.15")) == Decimal("70.55")

    def test_rounding_is_half_up_at_the_fen(self):
        assert to_fen(Decimal("0.005")) == Decimal("0.01")
        assert to_fen(Decimal("-0.005")) == Decimal("-0.01")
        assert percent_of(Decimal("96.60"), Decimal("33.33")) == Decimal("32.20")

    def test_floats_are_refused(self):
        with pytest.raises(TypeError):
            to_fen(4.15)


@pytest.mark.django_db
class TestPerPeriodSeptember:
    def test_both_periods_every_service_day(self, world, term):
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        assert (s.total, s.days, s.periods) == (Decimal("96.60"), 21, 42)
        charged = FeeLine.objects.filter(statement=s, kind=LineKind.CHARGE)
        assert charged.count() == 21
        assert {ln.date for ln in charged} >= {D(2024, 9, 14), D(2024, 9, 29)}
        assert lines_total(s) == s.total
        holidays = FeeLine.objects.filter(statement=s, kind=LineKind.HOLIDAY)
        assert [ln.date for ln in holidays] == [D(2024, 9, 16), D(2024, 9, 17)]
        assert all(ln.amount == 0 for ln in holidays)
        assert "中秋节" in holidays[0].description

    def test_after_school_period_only(self, world, term):
        enrol(world.child_x, term, by=world.admin, noon=False)
        statements_generate(term=term, month=SEPT)
        assert statement_of(world.child_x).total == Decimal("48.30")

    def test_three_whole_days_of_approved_leave_are_not_charged(self, world, term):
        enrol(world.child_x, term, by=world.admin)
        approve_leave(world.child_x, term, D(2024, 9, 9), D(2024, 9, 11), homeroom=world.homeroom_a)
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        assert s.total == Decimal("82.80")
        leave = FeeLine.objects.filter(statement=s, kind=LineKind.LEAVE)
        assert [ln.date for ln in leave] == [D(2024, 9, 9), D(2024, 9, 10), D(2024, 9, 11)]
        assert all("请假" in ln.description and ln.amount == 0 for ln in leave)

    def test_leave_charged_when_the_policy_says_so(self, world, term):
        fee_policy_save(term=term, data={"charge_approved_leave": True}, by=world.admin)
        enrol(world.child_x, term, by=world.admin)
        approve_leave(world.child_x, term, D(2024, 9, 9), D(2024, 9, 11), homeroom=world.homeroom_a)
        statements_generate(term=term, month=SEPT)
        assert statement_of(world.child_x).total == Decimal("96.60")

    def test_enrolled_from_sixteenth_charges_only_days_enrolled(self, world, term):
        enrol(world.child_x, term, by=world.admin, on=D(2024, 9, 16))
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        assert (s.total, s.days) == (Decimal("46.00"), 10)
        not_enrolled = FeeLine.objects.get(statement=s, kind=LineKind.NOT_ENROLLED)
        assert not_enrolled.quantity == 11 and not_enrolled.amount == 0

    def test_withdrawal_mid_month_stops_charging_from_that_day(self, world, term):
        enrol(world.child_x, term, by=world.admin, withdrawn_on=D(2024, 9, 9))
        statements_generate(term=term, month=SEPT)
        # Withdrawn on Mon 9 Sep: charged 2–6 Sep only (5 days × 4.60).
        assert statement_of(world.child_x).total == Decimal("23.00")
        statements_generate(term=term, month=D(2024, 10, 1))
        assert not FeeStatement.objects.filter(month=D(2024, 10, 1)).exists()

    def test_approved_full_waiver_is_zero(self, world, term):
        enrol(world.child_x, term, by=world.admin, waiver=True)
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        assert s.total == Decimal("0.00")
        waiver = FeeLine.objects.get(statement=s, kind=LineKind.WAIVER)
        assert waiver.amount == Decimal("-96.60")
        assert "全额免收" in waiver.description

    def test_unexcused_absence_charged_by_default_not_when_set_off(self, world, term):
        from scheduling.models import Attendance, AttendanceStatus, Period, Session

        enrol(world.child_x, term, by=world.admin)
        session = Session.objects.create(
            term=term,
            date=D(2024, 9, 3),
            weekday=1,
            period=Period.AFTER_SCHOOL,
            school_class=world.class_a,
        )
        Attendance.objects.create(
            session=session,
            date=session.date,
            period=session.period,
            student=world.child_x,
            status=AttendanceStatus.ABSENT,
        )
        statements_generate(term=term, month=SEPT)
        assert statement_of(world.child_x).total == Decimal("96.60")
        fee_policy_save(term=term, data={"charge_unexcused_absence": False}, by=world.admin)
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        assert s.total == Decimal("94.30")
        assert FeeLine.objects.filter(statement=s, kind=LineKind.ABSENCE).count() == 1

    def test_featured_day_only_charges_the_featured_period(self, world, term):
        # Default featured day: Thursday; September 2024 has 4 Thursdays
        # (5, 12, 19, 26) and no make-up day follows Thursday.
        enrol(world.child_x, term, by=world.admin, noon=False, after=False, featured=True)
        statements_generate(term=term, month=SEPT)
        assert statement_of(world.child_x).total == Decimal("9.20")


@pytest.mark.django_db
class TestWaivers:
    def enable_partial(self, world, term):
        fee_policy_save(term=term, data={"allow_partial_waiver": True}, by=world.admin)

    def test_percentage_waiver_from_a_date(self, world, term):
        self.enable_partial(world, term)
        enrol(world.child_x, term, by=world.admin)
        waiver_create(
            student=world.child_x,
            term=term,
            kind=WaiverKind.PERCENT,
            percent=Decimal("50"),
            effective_from=D(2024, 9, 18),
            by=world.admin,
        )
        statements_generate(term=term, month=SEPT)
        # 10 days from 18 Sep × 4.60 = 46.00, half of it off.
        assert statement_of(world.child_x).total == Decimal("73.60")

    def test_amount_waiver_per_month(self, world, term):
        self.enable_partial(world, term)
        enrol(world.child_x, term, by=world.admin)
        waiver_create(
            student=world.child_x,
            term=term,
            kind=WaiverKind.AMOUNT,
            amount=Decimal("30"),
            effective_from=D(2024, 9, 2),
            by=world.admin,
        )
        statements_generate(term=term, month=SEPT)
        assert statement_of(world.child_x).total == Decimal("66.60")

    def test_partial_waiver_refused_unless_the_county_allows(self, world, term):
        from django.core.exceptions import ValidationError

        from billing.models import Waiver

        with pytest.raises(ValidationError) as exc:
            waiver_create(
                student=world.child_x,
                term=term,
                kind=WaiverKind.PERCENT,
                percent=Decimal("50"),
                effective_from=D(2024, 9, 2),
                by=world.admin,
            )
        assert "不允许部分减免" in str(exc.value)
        assert not Waiver.objects.exists()

    def test_waiver_after_a_paid_statement_makes_a_credit(self, world, term):
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        payment_record(
            statement=s,
            amount=Decimal("96.60"),
            method="cash",
            receipt_number="R001",
            by=world.admin,
        )
        original = list(FeeLine.objects.filter(statement=s).values_list("pk", "amount"))
        waiver_create(
            student=world.child_x,
            term=term,
            kind=WaiverKind.FULL,
            effective_from=D(2024, 9, 18),
            by=world.admin,
        )
        statements_generate(term=term, month=SEPT)
        s.refresh_from_db()
        # The paid statement stays as it was; the 46.00 waived from 18 Sep
        # (10 days × 4.60) is a credit for the next statement.
        assert list(FeeLine.objects.filter(statement=s).values_list("pk", "amount")) == original
        assert s.total == Decimal("96.60") == lines_total(s)
        assert s.payments.get().amount == Decimal("96.60")
        credit = FeeCredit.objects.get()
        assert (credit.source, credit.amount, credit.applied_to) == (s, Decimal("46.00"), None)
        assert "2024年9月账单已缴费" in credit.reason
        # A second recompute makes no second credit.
        assert statements_generate(term=term, month=SEPT).adjusted == 0
        assert FeeCredit.objects.count() == 1
        # October is waived in full; the credit is carried to it as a line.
        statements_generate(term=term, month=OCT)
        october = statement_of(world.child_x, OCT)
        line = FeeLine.objects.get(statement=october, kind=LineKind.CREDIT)
        assert line.amount == Decimal("-46.00") and "结余抵扣" in line.description
        assert october.total == Decimal("-46.00") == lines_total(october)
        assert FeeCredit.objects.get().applied_to == october

    def test_credit_carried_to_the_next_statement_reduces_it(self, world, term):
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        payment_record(
            statement=s, amount=Decimal("96.60"), method="cash", receipt_number="R1", by=world.admin
        )
        approve_leave(world.child_x, term, D(2024, 9, 9), D(2024, 9, 10), homeroom=world.homeroom_a)
        statements_generate(term=term, month=SEPT)
        statements_generate(term=term, month=OCT)
        october = statement_of(world.child_x, OCT)
        charged = total_of(october, LineKind.CHARGE)
        # October 2024: 19 service days (1–7 National Day off, Sat 12 worked)
        # × 4.60 = 87.40, less the 9.20 credit.
        assert charged == Decimal("87.40")
        assert october.total == Decimal("78.20") == lines_total(october)
        again = statements_generate(term=term, month=OCT)
        assert (again.updated, again.unchanged) == (0, 1)
        assert FeeLine.objects.filter(statement=october, kind=LineKind.CREDIT).count() == 1
        # November does not take it again.
        statements_generate(term=term, month=D(2024, 11, 1))
        november = statement_of(world.child_x, D(2024, 11, 1))
        assert not FeeLine.objects.filter(statement=november, kind=LineKind.CREDIT).exists()

    def test_a_paid_statement_keeps_the_credit_it_carries_when_recomputed(self, world, term):
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        payment_record(
            statement=statement_of(world.child_x),
            amount=Decimal("96.60"),
            method="cash",
            receipt_number="R1",
            by=world.admin,
        )
        approve_leave(world.child_x, term, D(2024, 9, 9), D(2024, 9, 10), homeroom=world.homeroom_a)
        statements_generate(term=term, month=SEPT)
        statements_generate(term=term, month=OCT)
        october = statement_of(world.child_x, OCT)
        payment_record(
            statement=october,
            amount=Decimal("78.20"),
            method="cash",
            receipt_number="R2",
            by=world.admin,
        )
        # Recomputing the paid October must not ask for the 9.20 credit again.
        again = statements_generate(term=term, month=OCT)
        october.refresh_from_db()
        assert again.adjusted == 0 and october.total == Decimal("78.20") == lines_total(october)
        assert not FeeLine.objects.filter(statement=october, kind=LineKind.ADJUSTMENT).exists()


@pytest.mark.django_db
class TestRecompute:
    def test_recompute_is_idempotent(self, world, term):
        enrol(world.child_x, term, by=world.admin)
        enrol(world.child_y, term, by=world.admin, noon=False)
        statements_generate(term=term, month=SEPT)
        before = list(
            FeeLine.objects.order_by("statement__student", "position").values_list(
                "statement_id", "kind", "date", "description", "amount"
            )
        )
        second = statements_generate(term=term, month=SEPT)
        after = list(
            FeeLine.objects.order_by("statement__student", "position").values_list(
                "statement_id", "kind", "date", "description", "amount"
            )
        )
        assert before == after
        assert (second.created, second.updated, second.unchanged, second.adjusted) == (0, 0, 2, 0)
        assert FeeStatement.objects.count() == 2

    def test_unpaid_statement_rewritten_when_leave_is_approved_later(self, world, term):
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        approve_leave(world.child_x, term, D(2024, 9, 9), D(2024, 9, 9), homeroom=world.homeroom_a)
        result = statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        assert (result.updated, s.total) == (1, Decimal("92.00"))
        assert lines_total(s) == s.total
        assert FeeLine.objects.filter(statement=s, kind=LineKind.CHARGE).count() == 20

    def test_payment_kept_across_recompute_and_no_adjustment_when_unchanged(self, world, term):
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        p = payment_record(
            statement=s,
            amount=Decimal("50.00"),
            method="wechat",
            receipt_number="R9",
            by=world.admin,
        )
        statements_generate(term=term, month=SEPT)
        statements_generate(term=term, month=SEPT)
        s.refresh_from_db()
        assert s.payments.get() == p
        assert not FeeLine.objects.filter(statement=s, kind=LineKind.ADJUSTMENT).exists()
        assert s.total == Decimal("96.60")

    def test_paid_statement_recomputed_twice_gets_one_adjustment(self, world, term):
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        payment_record(
            statement=s,
            amount=Decimal("96.60"),
            method="cash",
            receipt_number="R1",
            by=world.admin,
        )
        approve_leave(world.child_x, term, D(2024, 9, 9), D(2024, 9, 9), homeroom=world.homeroom_a)
        statements_generate(term=term, month=SEPT)
        statements_generate(term=term, month=SEPT)
        assert list(FeeCredit.objects.values_list("amount", flat=True)) == [Decimal("4.60")]
        assert not FeeLine.objects.filter(statement=s, kind=LineKind.ADJUSTMENT).exists()

    def test_days_and_periods_follow_a_recompute_of_an_unpaid_statement(self, world, term):
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        assert (statement_of(world.child_x).days, statement_of(world.child_x).periods) == (21, 42)
        approve_leave(world.child_x, term, D(2024, 9, 9), D(2024, 9, 10), homeroom=world.homeroom_a)
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        assert (s.days, s.periods, s.total) == (19, 38, Decimal("87.40"))

    def test_days_and_periods_follow_a_recompute_of_a_paid_statement(self, world, term):
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        payment_record(
            statement=s,
            amount=Decimal("96.60"),
            method="cash",
            receipt_number="R1",
            by=world.admin,
        )
        approve_leave(world.child_x, term, D(2024, 9, 9), D(2024, 9, 10), homeroom=world.homeroom_a)
        statements_generate(term=term, month=SEPT)
        s.refresh_from_db()
        # Days and periods follow; the money paid for stays, the rest is a credit.
        assert (s.days, s.periods, s.total) == (19, 38, Decimal("96.60"))
        assert FeeCredit.objects.get().amount == Decimal("9.20")
        assert FeeLine.objects.filter(statement=s, kind=LineKind.CHARGE).count() == 21
        assert lines_total(s) == s.total
        again = statements_generate(term=term, month=SEPT)
        assert again.adjusted == 0
        assert FeeCredit.objects.count() == 1

    def test_paid_statement_that_now_costs_more_asks_for_the_rest(self, world, term):
        fee_policy_save(term=term, data={"charge_unexcused_absence": False}, by=world.admin)
        enrol(world.child_x, term, by=world.admin)
        approve_leave(world.child_x, term, D(2024, 9, 9), D(2024, 9, 9), homeroom=world.homeroom_a)
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        payment_record(
            statement=s, amount=Decimal("92.00"), method="cash", receipt_number="R1", by=world.admin
        )
        from scheduling.models import LeaveRequest

        LeaveRequest.objects.all().delete()
        statements_generate(term=term, month=SEPT)
        s.refresh_from_db()
        adj = FeeLine.objects.get(statement=s, kind=LineKind.ADJUSTMENT)
        assert adj.amount == Decimal("4.60") and "需补缴" in adj.description
        assert s.total == Decimal("96.60") == lines_total(s)

    def test_month_outside_the_term_is_refused(self, world, term):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            statements_generate(term=term, month=D(2024, 7, 1))


@pytest.mark.django_db
class TestMonthlyTiers:
    def test_full_and_reduced_month(self, world, term):
        fee_policy_save(
            term=term,
            data={
                "mode": BillingMode.MONTHLY,
                "monthly_amount": Decimal("90.00"),
                "monthly_reduced_amount": Decimal("30.00"),
                "monthly_threshold_days": 10,
            },
            by=world.admin,
        )
        enrol(world.child_x, term, by=world.admin)
        enrol(world.child_y, term, by=world.admin, on=D(2024, 9, 23))  # 7 service days
        statements_generate(term=term, month=SEPT)
        assert statement_of(world.child_x).total == Decimal("90.00")
        y = statement_of(world.child_y)
        assert (y.total, y.days) == (Decimal("30.00"), 7)
        assert "减档" in FeeLine.objects.get(statement=y, kind=LineKind.CHARGE).description
        assert not FeeLine.objects.filter(kind=LineKind.CAP).exists()


def monthly(term, by, amount, reduced="30.00", **extra):
    fee_policy_save(
        term=term,
        data={
            "mode": BillingMode.MONTHLY,
            "monthly_amount": Decimal(amount),
            "monthly_reduced_amount": Decimal(reduced),
            "monthly_threshold_days": 10,
            **extra,
        },
        by=by,
    )


def cap_amount(statement):
    return list(
        FeeLine.objects.filter(statement=statement, kind=LineKind.CAP).values_list(
            "amount", flat=True
        )
    )


@pytest.mark.django_db
class TestCapInEveryMode:
    """September: 21 service days; the cap 2.30 a period, 4.60 a day."""

    def test_flat_month_exactly_at_the_cap_is_not_cut(self, world, term):
        monthly(term, world.admin, "96.60")
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        assert (s.total, cap_amount(s)) == (Decimal("96.60"), [])

    def test_flat_month_one_fen_above_the_cap_is_cut_by_one_fen(self, world, term):
        monthly(term, world.admin, "96.61")
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        assert (s.total, cap_amount(s)) == (Decimal("96.60"), [Decimal("-0.01")])
        line = FeeLine.objects.get(statement=s, kind=LineKind.CAP)
        assert "21 天、42 课时" in line.description and "96.60" in line.description

    def test_flat_month_of_150_is_capped_to_the_days_served(self, world, term):
        monthly(term, world.admin, "150.00", reduced="75.00")
        enrol(world.child_x, term, by=world.admin)
        enrol(world.child_y, term, by=world.admin, on=D(2024, 9, 23))  # 7 service days
        statements_generate(term=term, month=SEPT)
        x = statement_of(world.child_x)
        assert (x.total, cap_amount(x)) == (Decimal("96.60"), [Decimal("-53.40")])
        # A part month: 7 days × 4.60 = 32.20, however the tier reads.
        y = statement_of(world.child_y)
        assert (y.total, y.days, cap_amount(y)) == (Decimal("32.20"), 7, [Decimal("-42.80")])
        assert x.total == lines_total(x) and y.total == lines_total(y)

    def test_one_period_a_day_is_capped_by_the_period_cap(self, world, term):
        monthly(term, world.admin, "90.00")
        enrol(world.child_x, term, by=world.admin, noon=False)
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        # 21 periods × 2.30 = 48.30 < 21 days × 4.60.
        assert (s.total, cap_amount(s)) == (Decimal("48.30"), [Decimal("-41.70")])

    def test_waiver_applies_to_the_capped_amount(self, world, term):
        monthly(term, world.admin, "150.00", reduced="75.00", allow_partial_waiver=True)
        enrol(world.child_x, term, by=world.admin)
        waiver_create(
            student=world.child_x,
            term=term,
            kind=WaiverKind.PERCENT,
            percent=Decimal("50"),
            effective_from=term.first_day,
            by=world.admin,
        )
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        assert s.total == Decimal("48.30") == lines_total(s)

    def test_per_period_month_under_a_lowered_cap(self, world, term):
        fee_policy_save(term=term, data={}, by=world.admin)  # 2.30 × 2 saved
        world.school.fee_cap_per_period = Decimal("2.00")
        world.school.save(update_fields=["fee_cap_per_period"])
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=Term.objects.get(pk=term.pk), month=SEPT)
        s = statement_of(world.child_x)
        # 42 periods × 2.30 = 96.60, bound 42 × 2.00 = 84.00.
        assert (s.total, cap_amount(s)) == (Decimal("84.00"), [Decimal("-12.60")])

    def test_prepayment_at_the_cap_and_under_a_lowered_cap(self, world, term):
        fee_policy_save(term=term, data={"mode": BillingMode.PREPAY}, by=world.admin)
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        s = FeeStatement.objects.get(student=world.child_x, kind="prepay")
        assert (s.total, cap_amount(s)) == (Decimal("460.00"), [])
        world.school.fee_cap_per_period = Decimal("2.00")
        world.school.save(update_fields=["fee_cap_per_period"])
        statements_generate(term=Term.objects.get(pk=term.pk), month=SEPT)
        s.refresh_from_db()
        # 100 days × 4.00 = 400.00.
        assert (s.total, cap_amount(s)) == (Decimal("400.00"), [Decimal("-60.00")])


@pytest.mark.django_db
class TestPrepaySettlement:
    def test_prepay_then_settlement_refunds_days_not_served(self, world, term):
        from scheduling.calendar.days import service_days
        from scheduling.models import ServiceChange, ServiceChangeKind

        fee_policy_save(term=term, data={"mode": BillingMode.PREPAY}, by=world.admin)
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        prepay = FeeStatement.objects.get(student=world.child_x, kind="prepay")
        assert prepay.total == Decimal("460.00")
        ServiceChange.objects.create(
            school=world.school,
            date=D(2024, 10, 10),
            kind=ServiceChangeKind.SUSPENDED,
            notice="停电",
        )
        approve_leave(world.child_x, term, D(2024, 9, 9), D(2024, 9, 11), homeroom=world.homeroom_a)
        days = len(service_days(term))
        settlement_generate(term=term)
        s = FeeStatement.objects.get(student=world.child_x, kind="settlement")
        served_periods = (days - 3) * 2
        assert s.total == -(Decimal("460.00") - served_periods * Decimal("2.30"))
        assert s.total == lines_total(s)
        refunds = dict(
            FeeLine.objects.filter(statement=s, kind=LineKind.REFUND, amount__lt=0).values_list(
                "description", "amount"
            )
        )
        assert any("暂停服务" in d and a == Decimal("-4.60") for d, a in refunds.items())
        assert any("请假" in d and a == Decimal("-13.80") for d, a in refunds.items())
        assert FeeLine.objects.filter(statement=s, description__contains="退还家长").exists()

    def test_waived_prepayment_settles_to_zero_and_credit_mode_says_so(self, world, term):
        fee_policy_save(
            term=term,
            data={"mode": BillingMode.PREPAY, "settlement_mode": "credit"},
            by=world.admin,
        )
        enrol(world.child_x, term, by=world.admin, waiver=True)
        enrol(world.child_y, term, by=world.admin, withdrawn_on=D(2024, 12, 2))
        statements_generate(term=term, month=SEPT)
        assert FeeStatement.objects.get(student=world.child_x, kind="prepay").total == 0
        settlement_generate(term=term)
        x = FeeStatement.objects.get(student=world.child_x, kind="settlement")
        assert x.total == Decimal("0.00") == lines_total(x)
        y = FeeStatement.objects.get(student=world.child_y, kind="settlement")
        # Served 2 Sep – 29 Nov: the rest of the 100 prepaid days comes back,
        # the days after withdrawal itemised, as a credit for next term.
        assert y.total < 0 and y.total == lines_total(y)
        assert FeeLine.objects.filter(statement=y, description__contains="退出后未服务").exists()
        assert FeeLine.objects.filter(statement=y, description__contains="抵下学期费用").exists()
        again = settlement_generate(term=term)
        assert (again.created, again.updated, again.adjusted) == (0, 0, 0)

    def test_waiver_after_the_prepayment_was_paid_is_refunded_once(self, world, term):
        fee_policy_save(term=term, data={"mode": BillingMode.PREPAY}, by=world.admin)
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        prepay = FeeStatement.objects.get(student=world.child_x, kind="prepay")
        payment_record(
            statement=prepay,
            amount=Decimal("460.00"),
            method="cash",
            receipt_number="R1",
            by=world.admin,
        )
        waiver_create(
            student=world.child_x,
            term=term,
            kind=WaiverKind.FULL,
            effective_from=term.first_day,
            by=world.admin,
        )
        statements_generate(term=term, month=SEPT)
        assert FeeCredit.objects.get().amount == Decimal("460.00")
        settlement_generate(term=term)
        s = FeeStatement.objects.get(student=world.child_x, kind="settlement")
        # Everything waived: the 460.00 paid comes back once (the credit the
        # paid prepayment made), not once more as a waiver re-settlement.
        assert s.total == Decimal("-460.00") == lines_total(s)

    def test_settlement_refused_outside_prepay_mode(self, world, term):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            settlement_generate(term=term)


@pytest.mark.django_db
class TestFeePolicyCap:
    def test_rate_above_cap_refused_with_the_document(self, world, term):
        from django.core.exceptions import ValidationError

        world.school.fee_document = "X发【2024】7号"
        world.school.save()
        with pytest.raises(ValidationError) as exc:
            fee_policy_save(term=term, data={"rate_per_period": Decimal("2.31")}, by=world.admin)
        assert exc.value.message_dict["rate_per_period"] == [
            "每课时收费不得超过 2.30 元（X发【2024】7号）。"
        ]
        assert not FeePolicy.objects.exists()

    def test_periods_above_cap_refused(self, world, term):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as exc:
            fee_policy_save(term=term, data={"periods_per_day": 3}, by=world.admin)
        assert "每天收费课时数不得超过 2 课时" in exc.value.message_dict["periods_per_day"][0]
        assert not FeePolicy.objects.exists()

    def test_within_cap_saved(self, world, term):
        p = fee_policy_save(
            term=term,
            data={"rate_per_period": Decimal("2.30"), "periods_per_day": 2},
            by=world.admin,
        )
        assert p.rate_per_day == Decimal("4.60")


@pytest.mark.django_db
class TestSuspensionAndRemoval:
    def test_suspended_day_listed_with_its_notice_and_not_charged(self, world, term):
        from scheduling.models import ServiceChange, ServiceChangeKind

        ServiceChange.objects.create(
            school=world.school,
            date=D(2024, 9, 10),
            kind=ServiceChangeKind.SUSPENDED,
            notice="教师节活动",
        )
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        assert s.total == Decimal("92.00")
        line = FeeLine.objects.get(statement=s, kind=LineKind.SUSPENDED)
        assert line.amount == 0 and "教师节活动" in line.description

    def test_unpaid_statement_removed_when_no_longer_enrolled(self, world, term):
        from enrollment.models import ApplicationEvent, Status
        from tests.billing.conftest import at

        app = enrol(world.child_x, term, by=world.admin)
        october = D(2024, 10, 1)
        statements_generate(term=term, month=october)
        assert FeeStatement.objects.filter(month=october).exists()
        ApplicationEvent.objects.create(
            application=app,
            from_status=Status.APPROVED,
            to_status=Status.WITHDRAWN,
            by=world.admin,
            at=at(D(2024, 9, 30)),
        )
        result = statements_generate(term=term, month=october)
        assert result.removed == 1
        assert not FeeStatement.objects.filter(month=october).exists()


@pytest.mark.django_db
class TestServiceErrors:
    def test_waiver_values_checked_and_nothing_saved(self, world, term):
        from django.core.exceptions import ValidationError

        from billing.models import Waiver

        fee_policy_save(term=term, data={"allow_partial_waiver": True}, by=world.admin)
        cases = [
            ({"kind": WaiverKind.AMOUNT}, "amount", "大于 0 的每月减免金额"),
            ({"kind": WaiverKind.PERCENT, "percent": Decimal("120")}, "percent", "0 到 100"),
            (
                {"kind": WaiverKind.FULL, "effective_from": D(2025, 3, 1)},
                "effective_from",
                "本学期内",
            ),
            ({"kind": WaiverKind.FULL, "student": world.other_child}, "student", "不属于本校"),
        ]
        for extra, field, text in cases:
            args = {
                "student": world.child_x,
                "term": term,
                "effective_from": D(2024, 9, 2),
                "by": world.admin,
                **extra,
            }
            with pytest.raises(ValidationError) as exc:
                waiver_create(**args)
            assert text in exc.value.message_dict[field][0]
        assert not Waiver.objects.exists()

    def test_same_waiver_twice_refused(self, world, term):
        from django.core.exceptions import ValidationError

        args = {
            "student": world.child_x,
            "term": term,
            "kind": WaiverKind.FULL,
            "effective_from": D(2024, 9, 2),
            "by": world.admin,
        }
        waiver_create(**args)
        with pytest.raises(ValidationError, match="已有相同方式的减免"):
            waiver_create(**args)

    def test_payment_values_checked_and_nothing_saved(self, world, term):
        from django.core.exceptions import ValidationError

        from billing.models import Payment

        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        for amount, receipt, field, text in [
            (Decimal("0"), "R1", "amount", "大于 0"),
            (Decimal("1.234"), "R1", "amount", "两位小数"),
            (Decimal("10"), "  ", "receipt_number", "请填写收据号"),
        ]:
            with pytest.raises(ValidationError) as exc:
                payment_record(
                    statement=s,
                    amount=amount,
                    method="cash",
                    receipt_number=receipt,
                    by=world.admin,
                )
            assert text in exc.value.message_dict[field][0]
        assert not Payment.objects.exists()

    def test_refund_recorded_and_counted_against_paid(self, world, term):
        from billing.sheets.selectors import fee_sheet

        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        payment_record(
            statement=s,
            amount=Decimal("100.00"),
            method="cash",
            receipt_number="P1",
            by=world.admin,
        )
        payment_record(
            statement=s,
            amount=Decimal("3.40"),
            method="cash",
            receipt_number="P2",
            by=world.admin,
            kind="refund",
        )
        row = fee_sheet(term=term, month=SEPT).rows[0]
        assert (row.paid, row.balance) == (Decimal("96.60"), Decimal("0.00"))

    def test_refund_above_net_paid_refused_naming_the_most_and_nothing_saved(self, world, term):
        from django.core.exceptions import ValidationError

        from billing.models import Payment

        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        s = statement_of(world.child_x)
        args = {"statement": s, "method": "cash", "by": world.admin}
        payment_record(amount=Decimal("100.00"), receipt_number="P1", **args)
        payment_record(amount=Decimal("60.00"), receipt_number="R1", kind="refund", **args)
        with pytest.raises(ValidationError) as exc:
            payment_record(amount=Decimal("40.01"), receipt_number="R2", kind="refund", **args)
        assert "最多可退 40.00 元" in exc.value.message_dict["amount"][0]
        assert Payment.objects.count() == 2
        payment_record(amount=Decimal("40.00"), receipt_number="R3", kind="refund", **args)
        assert statement_paid(s) == Decimal("0.00")

    def test_refund_on_unpaid_statement_refused(self, world, term):
        from django.core.exceptions import ValidationError

        from billing.models import Payment

        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        with pytest.raises(ValidationError, match="最多可退 0.00 元"):
            payment_record(
                statement=statement_of(world.child_x),
                amount=Decimal("1000.00"),
                method="cash",
                receipt_number="R1",
                by=world.admin,
                kind="refund",
            )
        assert not Payment.objects.exists()
