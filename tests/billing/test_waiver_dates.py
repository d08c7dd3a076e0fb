"""A waiver decided on enrollment's request applies from its effective date
(by default the day the guardian asked), not from the term's first day:
days before it are charged, and a paid month gets a credit.

September 2024 has 21 service days; from Wed 18 Sep there are 10 (18–20,
23–27, Sun 29, 30), before it 11."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.models import FeeCredit, FeeLine, FeeStatement, LineKind, Waiver
from billing.payments.services import payment_record
from billing.statements.services import statements_generate
from enrollment.models import WaiverRequest
from enrollment.waivers.services import waiver_decide
from tests.billing.conftest import SEPT, D, at, enrol
from tests.billing.test_fees import monthly

OCT = D(2024, 10, 1)


def asked(app, day):
    """The guardian asks for a waiver on ``day`` (after the application)."""
    return WaiverRequest.objects.create(application=app, reason="父亲失业", created_at=at(day))


def september(student):
    return FeeStatement.objects.get(student=student, month=SEPT)


@pytest.mark.django_db
class TestWaiverFromItsDate:
    def test_default_date_is_the_day_asked_and_days_before_are_charged(self, world, term):
        app = enrol(world.child_x, term, by=world.admin)
        request = asked(app, D(2024, 9, 18))
        waiver_decide(waiver=request, approve=True, by=world.admin, reason="失业证明已核实")
        statements_generate(term=term, month=SEPT)
        s = september(world.child_x)
        # 21 days × 4.60 = 96.60 charged, the 10 days from 18 Sep waived.
        assert s.total == Decimal("50.60")
        waiver = FeeLine.objects.get(statement=s, kind=LineKind.WAIVER)
        assert waiver.amount == Decimal("-46.00") and "自2024-09-18起" in waiver.description
        assert Waiver.objects.get().effective_from == D(2024, 9, 18)

    def test_a_chosen_date_is_used(self, world, term):
        app = enrol(world.child_x, term, by=world.admin)
        request = asked(app, D(2024, 9, 18))
        waiver_decide(
            waiver=request,
            approve=True,
            by=world.admin,
            reason="低保证自9月起",
            effective_from=D(2024, 9, 2),
        )
        statements_generate(term=term, month=SEPT)
        assert september(world.child_x).total == Decimal("0.00")

    def test_already_paid_month_keeps_its_lines_and_the_waived_days_become_a_credit(
        self, world, term
    ):
        app = enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        s = september(world.child_x)
        payment_record(
            statement=s, amount=Decimal("96.60"), method="cash", receipt_number="R1", by=world.admin
        )
        original = list(FeeLine.objects.filter(statement=s).values_list("pk", "amount"))
        request = asked(app, D(2024, 9, 18))
        waiver_decide(waiver=request, approve=True, by=world.admin, reason="失业证明已核实")
        statements_generate(term=term, month=SEPT)
        s.refresh_from_db()
        assert list(FeeLine.objects.filter(statement=s).values_list("pk", "amount")) == original
        assert s.total == Decimal("96.60")
        credit = FeeCredit.objects.get()
        assert (credit.source, credit.amount) == (s, Decimal("46.00"))
        statements_generate(term=term, month=OCT)
        october = FeeStatement.objects.get(student=world.child_x, month=OCT)
        # October fully waived, and the credit carried onto it.
        assert october.total == Decimal("-46.00")

    def test_a_changed_date_moves_the_waiver_and_a_decline_removes_it(self, world, term):
        app = enrol(world.child_x, term, by=world.admin)
        request = asked(app, D(2024, 9, 18))
        waiver_decide(waiver=request, approve=True, by=world.admin, reason="已核实")
        statements_generate(term=term, month=SEPT)
        assert september(world.child_x).total == Decimal("50.60")
        waiver_decide(
            waiver=request,
            approve=True,
            by=world.admin,
            reason="按证明日期更正",
            effective_from=D(2024, 9, 23),
        )
        statements_generate(term=term, month=SEPT)
        # From 23 Sep: 7 days waived (23–27, Sun 29, 30: 32.20), 14 charged.
        assert september(world.child_x).total == Decimal("64.40")
        assert Waiver.objects.get().effective_from == D(2024, 9, 23)
        waiver_decide(waiver=request, approve=False, by=world.admin, reason="证明不实")
        statements_generate(term=term, month=SEPT)
        assert september(world.child_x).total == Decimal("96.60")
        assert not Waiver.objects.exists()

    def test_a_second_run_writes_nothing(self, world, term):
        app = enrol(world.child_x, term, by=world.admin)
        waiver_decide(
            waiver=asked(app, D(2024, 9, 18)), approve=True, by=world.admin, reason="已核实"
        )
        statements_generate(term=term, month=SEPT)
        again = statements_generate(term=term, month=SEPT)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


@pytest.mark.django_db
class TestFlatMonthWaiverFromItsDate:
    """Monthly flat mode (90.00 a month, 30.00 under 10 days served): a
    waiver from mid-month charges the month as if it ended the day before —
    its tier, bounded by the cap for those days (4.60 a day)."""

    @pytest.fixture(autouse=True)
    def flat(self, world, term):
        monthly(term, world.admin, "90.00")

    def waived_from(self, world, term, day):
        app = enrol(world.child_x, term, by=world.admin)
        request = asked(app, day)
        waiver_decide(
            waiver=request, approve=True, by=world.admin, reason="已核实", effective_from=day
        )
        statements_generate(term=term, month=SEPT)
        return september(world.child_x)

    def test_after_five_days_the_reduced_tier_under_the_cap_is_kept(self, world, term):
        # 2–6 Sep served before the waiver: 5 days, under 10: the reduced
        # 30.00, capped at 5 × 4.60 = 23.00.
        s = self.waived_from(world, term, D(2024, 9, 9))
        assert s.total == Decimal("23.00")
        waiver = FeeLine.objects.get(statement=s, kind=LineKind.WAIVER)
        assert waiver.amount == Decimal("-67.00") and "自2024-09-09起" in waiver.description

    def test_after_eleven_days_the_full_tier_under_the_cap_is_kept(self, world, term):
        # 11 days: the full 90.00, capped at 11 × 4.60 = 50.60.
        s = self.waived_from(world, term, D(2024, 9, 18))
        assert s.total == Decimal("50.60")
        waiver = FeeLine.objects.get(statement=s, kind=LineKind.WAIVER)
        assert waiver.amount == Decimal("-39.40")

    def test_a_late_waiver_in_a_short_month_keeps_the_month(self, world, term):
        # From 30 Sep: 20 days served before it, the full 90.00 (under the
        # cap of 92.00) is kept and nothing is waived this month.
        s = self.waived_from(world, term, D(2024, 9, 30))
        assert s.total == Decimal("90.00")
        assert not FeeLine.objects.filter(statement=s, kind=LineKind.WAIVER).exists()

    def test_from_the_first_day_nothing_is_charged(self, world, term):
        assert self.waived_from(world, term, D(2024, 9, 2)).total == Decimal("0.00")
        statements_generate(term=term, month=OCT)
        assert FeeStatement.objects.get(student=world.child_x, month=OCT).total == Decimal("0.00")
