"""Money left at term end: refunded through a refund batch, or carried to
the next term's first statement only where the policy says so (DESIGN.md
"Fee regimes": nothing is collected across terms unless the notice says so).

Autumn 2024 ends Fri 17 Jan 2025: January has 12 service days (2–3, 6–10,
13–17; 1 Jan is New Year's Day), 12 × 4.60 = 55.20. Spring 2025 starts Mon
17 Feb: February has 10 service days (17–21, 24–28), 46.00."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from afterschool.models import ClassMembership, LeaveReason, Term
from billing.models import (
    FeeCredit,
    FeeLine,
    FeeStatement,
    LineKind,
    Payment,
    PaymentKind,
    PaymentMethod,
    RefundBatch,
    StatementKind,
)
from billing.payments.services import payment_record
from billing.policy.services import fee_policy_save
from billing.refunds.selectors import credits_held, leaving_student_ids
from billing.refunds.services import (
    credits_carry_forward,
    refund_batch_approve,
    refund_batch_create,
    refund_batch_mark_paid,
)
from billing.statements.selectors import statement_paid, with_paid
from billing.statements.services import statements_generate
from tests import factories as f
from tests.billing.conftest import SEPT, D, approve_leave, enrol, published

JAN = D(2025, 1, 1)
FEB = D(2025, 2, 1)
MAR = D(2025, 3, 1)


def pay(statement, amount, receipt, by):
    return payment_record(
        statement=statement, amount=Decimal(amount), method="cash", receipt_number=receipt, by=by
    )


def spring(term):
    return published(
        Term.objects.create(
            school=term.school,
            school_year=term.school_year,
            name="2025年春季学期",
            first_day=D(2025, 2, 17),
            last_day=D(2025, 7, 4),
        )
    )


def balance_of(student, term):
    """Billed − paid over the term's statements (yuan)."""
    rows = with_paid(FeeStatement.objects.filter(student=student, term=term))
    return sum((s.total - s.paid for s in rows), Decimal("0.00"))


@pytest.fixture
def held(world, term):
    """Child X paid January in full, then leave on 6 Jan made it 4.60 less
    (a credit no later statement of the term takes); child Y paid 10.00 too
    much for September (96.60)."""
    enrol(world.child_x, term, by=world.admin)
    enrol(world.child_y, term, by=world.admin)
    statements_generate(term=term, month=JAN)
    statements_generate(term=term, month=SEPT)
    january = FeeStatement.objects.get(student=world.child_x, month=JAN)
    assert january.total == Decimal("55.20")
    pay(january, "55.20", "R1", world.admin)
    pay(FeeStatement.objects.get(student=world.child_x, month=SEPT), "96.60", "R2", world.admin)
    pay(FeeStatement.objects.get(student=world.child_y, month=SEPT), "106.60", "R3", world.admin)
    pay(FeeStatement.objects.get(student=world.child_y, month=JAN), "55.20", "R4", world.admin)
    approve_leave(world.child_x, term, D(2025, 1, 6), D(2025, 1, 6), homeroom=world.homeroom_a)
    statements_generate(term=term, month=JAN)
    credit = FeeCredit.objects.get()
    assert (credit.student, credit.amount, credit.applied_to) == (
        world.child_x,
        Decimal("4.60"),
        None,
    )
    return term


@pytest.mark.django_db
class TestRefundedByDefault:
    def test_nothing_reaches_the_next_term_and_the_batch_takes_every_credit(self, world, held):
        following = spring(held)
        enrol(world.child_x, following, by=world.admin, on=D(2025, 2, 14))
        statements_generate(term=following, month=FEB)
        february = FeeStatement.objects.get(student=world.child_x, term=following)
        assert february.total == Decimal("46.00")
        assert not FeeLine.objects.filter(statement=february, kind=LineKind.CREDIT).exists()
        with pytest.raises(ValidationError, match="不结转到下学期"):
            credits_carry_forward(term=held, by=world.admin)

        batch = refund_batch_create(term=held, by=world.admin)
        items = {i.student: i for i in batch.items.select_related("statement")}
        assert items[world.child_y].amount == Decimal("10.00")
        assert items[world.child_y].statement.month == SEPT
        # Child X's credit is placed on a term-end statement first.
        end = items[world.child_x].statement
        assert (end.kind, end.month, end.days, end.total) == (
            StatementKind.SETTLEMENT,
            JAN,
            0,
            Decimal("-4.60"),
        )
        line = FeeLine.objects.get(statement=end)
        assert line.kind == LineKind.CREDIT and "2025年1月账单已缴费" in line.description
        assert FeeCredit.objects.get().applied_to == end
        assert batch.total == Decimal("14.60")
        # The paid January statement is untouched.
        january = FeeStatement.objects.get(
            student=world.child_x, month=JAN, kind=StatementKind.MONTHLY
        )
        assert january.total == Decimal("55.20") == statement_paid(january)

        refund_batch_mark_paid(
            batch=refund_batch_approve(batch=batch, by=world.admin), by=world.admin
        )
        assert balance_of(world.child_x, held) == Decimal("0.00")
        assert balance_of(world.child_y, held) == Decimal("0.00")
        assert credits_held(held) == []
        # The next term still owes nothing of it.
        statements_generate(term=Term.objects.get(pk=following.pk), month=FEB)
        february.refresh_from_db()
        assert february.total == Decimal("46.00")

    def test_a_family_owing_on_another_statement_is_not_paid_out(self, world, term):
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        statements_generate(term=term, month=D(2024, 10, 1))
        pay(FeeStatement.objects.get(month=SEPT), "106.60", "R1", world.admin)
        # October (87.40) is unpaid: the 10.00 paid too much is owed back less.
        with pytest.raises(ValidationError, match="没有需要退还的结余"):
            refund_batch_create(term=term, by=world.admin)
        pay(FeeStatement.objects.get(month=D(2024, 10, 1)), "80.00", "R2", world.admin)
        batch = refund_batch_create(term=term, by=world.admin)
        assert batch.total == Decimal("2.60")
        assert not RefundBatch.objects.exclude(pk=batch.pk).exists()


@pytest.mark.django_db
class TestCarriedWhereThePolicySaysSo:
    @pytest.fixture
    def carrying(self, world, held):
        fee_policy_save(term=held, data={"settlement_mode": "credit"}, by=world.admin)
        return Term.objects.get(pk=held.pk)

    def test_refund_batch_refused_and_next_term_needed(self, world, carrying):
        with pytest.raises(ValidationError) as exc:
            refund_batch_create(term=carrying, by=world.admin)
        assert exc.value.messages == [
            "本学期收费标准规定期末结余抵下学期费用，不退款：请将结余结转到下学期。"
        ]
        with pytest.raises(ValidationError) as exc:
            credits_carry_forward(term=carrying, by=world.admin)
        assert exc.value.messages == ["下学期尚未建立：建立下学期后才能结转结余。"]
        assert not RefundBatch.objects.exists()
        assert FeeCredit.objects.get().applied_to is None
        assert not Payment.objects.filter(method=PaymentMethod.CARRIED).exists()

    def test_carried_once_onto_the_first_statement_of_the_next_term(self, world, carrying):
        following = spring(carrying)
        enrol(world.child_x, following, by=world.admin, on=D(2025, 2, 14))
        credits = credits_carry_forward(term=carrying, by=world.admin)
        assert {c.student: (c.amount, c.term) for c in credits} == {
            world.child_x: (Decimal("4.60"), following),
            world.child_y: (Decimal("10.00"), following),
        }
        # This term's statements are settled by the carry-out the guardian sees.
        out = Payment.objects.get(student=world.child_y, method=PaymentMethod.CARRIED)
        carried_y = FeeCredit.objects.get(term=following, student=world.child_y)
        assert (out.kind, out.amount, out.receipt_number) == (
            PaymentKind.REFUND,
            Decimal("10.00"),
            f"JZ{carried_y.pk}",
        )
        assert out.statement == carried_y.source and carried_y.source.month == SEPT
        assert "结转至2025年春季学期" in out.note
        assert balance_of(world.child_x, carrying) == Decimal("0.00")
        assert balance_of(world.child_y, carrying) == Decimal("0.00")
        with pytest.raises(ValidationError, match="没有需要结转的结余"):
            credits_carry_forward(term=carrying, by=world.admin)

        statements_generate(term=following, month=FEB)
        february = FeeStatement.objects.get(student=world.child_x, term=following)
        line = FeeLine.objects.get(statement=february, kind=LineKind.CREDIT)
        assert line.amount == Decimal("-4.60")
        assert line.description == "结余抵扣：2024年秋季学期期末结余结转"
        assert february.total == Decimal("41.40")
        # Paid, then recomputed: the credit stays, nothing is asked again.
        pay(february, "41.40", "R9", world.admin)
        again = statements_generate(term=Term.objects.get(pk=following.pk), month=FEB)
        assert again.adjusted == 0
        february.refresh_from_db()
        assert february.total == Decimal("41.40")
        assert not FeeLine.objects.filter(statement=february, kind=LineKind.ADJUSTMENT).exists()
        # March does not take it again.
        statements_generate(term=following, month=MAR)
        march = FeeStatement.objects.get(student=world.child_x, term=following, month=MAR)
        assert not FeeLine.objects.filter(statement=march, kind=LineKind.CREDIT).exists()

    def test_the_page_carries_and_the_guardian_sees_both_ends(self, client, world, carrying):
        following = spring(carrying)
        enrol(world.child_x, following, by=world.admin, on=D(2025, 2, 14))
        client.force_login(world.admin)
        url = reverse("billing:refunds") + f"?term={carrying.pk}"
        page = client.get(url).content.decode()
        assert "本学期收费标准：期末结余抵下学期费用。" in page
        assert "本学期目前为家长保留的结余共 14.60 元。" in page
        assert "结转到2025年春季学期" in page and "汇总待退款项" not in page
        for user in (world.homeroom_a, world.guardian_x.user):
            client.force_login(user)
            refused = client.post(
                reverse("billing:refunds"), {"term": carrying.pk, "action": "carry"}
            )
            assert refused.status_code == 403
        client.force_login(world.other_admin)
        refused = client.post(reverse("billing:refunds"), {"term": carrying.pk, "action": "carry"})
        assert refused.status_code == 404
        assert not Payment.objects.filter(method=PaymentMethod.CARRIED).exists()
        client.force_login(world.admin)
        done = client.post(
            reverse("billing:refunds"), {"term": carrying.pk, "action": "carry"}, follow=True
        ).content.decode()
        assert "已将 2 名学生的结余共 14.60 元结转到下学期。" in done
        again = client.post(
            reverse("billing:refunds"), {"term": carrying.pk, "action": "carry"}, follow=True
        ).content.decode()
        assert "本学期没有需要结转的结余。" in again
        statements_generate(term=following, month=FEB)
        client.force_login(world.guardian_x.user)
        end = FeeStatement.objects.get(student=world.child_x, kind=StatementKind.SETTLEMENT)
        body = client.get(reverse("billing:statement-detail", args=[end.pk])).content.decode()
        assert "结转下学期" in body and "JZ" in body
        february = FeeStatement.objects.get(student=world.child_x, term=following)
        body = client.get(reverse("billing:statement-detail", args=[february.pk])).content.decode()
        assert "2024年秋季学期期末结余结转" in body

    def test_the_manual_payment_form_does_not_offer_the_carry(self, client, world, carrying):
        from billing.payments.forms import PaymentForm

        assert PaymentMethod.CARRIED not in dict(PaymentForm().fields["method"].choices)


@pytest.mark.django_db
class TestLeaversAreRefundedEvenWhenCarrying:
    """抵下学期费用 assumes a next term: a family leaving the school is
    refunded instead."""

    def test_a_child_who_left_is_refunded_the_others_carried(self, world, held):
        fee_policy_save(term=held, data={"settlement_mode": "credit"}, by=world.admin)
        carrying = Term.objects.get(pk=held.pk)
        following = spring(carrying)
        ClassMembership.objects.filter(student=world.child_y).update(
            end_date=D(2025, 1, 10), leave_reason=LeaveReason.TRANSFER
        )
        credits = credits_carry_forward(term=carrying, by=world.admin)
        assert [(c.student, c.amount, c.term) for c in credits] == [
            (world.child_x, Decimal("4.60"), following)
        ]
        batch = refund_batch_create(term=carrying, by=world.admin)
        assert [(i.student, i.amount) for i in batch.items.all()] == [
            (world.child_y, Decimal("10.00"))
        ]
        # Nobody left to refund: the policy's rule is said again.
        with pytest.raises(ValidationError, match="抵下学期费用"):
            refund_batch_create(term=carrying, by=world.admin)

    def test_graduating_grade_at_the_years_last_term_is_leaving(self, world, term):
        sixth = f.make_class(world.school, 6, 1)
        graduate = f.make_student(sixth, "毕业生")
        ids = {world.child_x.pk, graduate.pk}
        # Autumn: spring of the same school year follows, nobody graduates yet.
        spring(term)
        assert leaving_student_ids(term, ids) == set()
        spring_term = Term.objects.get(name="2025年春季学期")
        assert leaving_student_ids(spring_term, ids) == {graduate.pk}
