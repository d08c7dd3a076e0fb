"""Billing services: the audit trail of fee policies, statements and payments."""

import pytest

from billing.payments.services import payment_record
from billing.policy.services import fee_policy_save
from billing.statements.services import statements_generate
from tests.billing.conftest import SEPT, enrol


@pytest.mark.django_db
class TestAuditTrail:
    """Every change to a fee policy, statement and payment is recorded."""

    def test_policy_statement_and_payment_changes_have_history_with_the_user(self, world, term):
        from decimal import Decimal

        from billing.models import FeePolicy, FeeStatement, Payment

        policy = fee_policy_save(
            term=term, data={"rate_per_period": Decimal("2.00")}, by=world.admin
        )
        assert policy.history.latest().history_user == world.admin
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        statement = FeeStatement.objects.get(student=world.child_x)
        assert statement.history.count() == 1
        payment = payment_record(
            statement=statement,
            amount=Decimal("10.00"),
            method="cash",
            receipt_number="R-1",
            by=world.admin,
        )
        assert Payment.history.get(id=payment.pk).history_user == world.admin
        assert FeePolicy.history.filter(id=policy.pk).count() == 1
