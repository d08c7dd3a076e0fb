"""Refund batches at term end: gathered from the statements holding money
for a family, approved, exported for the bank, marked paid (a refund on each
statement the guardian sees)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from billing.models import FeeStatement, Payment, PaymentKind, RefundBatch, RefundBatchStatus
from billing.payments.services import payment_record
from billing.refunds.services import (
    credits_carry_forward,
    refund_batch_approve,
    refund_batch_create,
    refund_batch_mark_paid,
    refund_batch_xlsx,
)
from billing.statements.selectors import statement_paid
from billing.statements.services import statements_generate
from tests.billing.conftest import SEPT, enrol

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def overpaid(world, term):
    """Child X paid 100.00 for 96.60 (3.40 to refund); child Y paid exactly."""
    enrol(world.child_x, term, by=world.admin)
    enrol(world.child_y, term, by=world.admin, noon=False)
    statements_generate(term=term, month=SEPT)
    for student, amount, receipt in (
        (world.child_x, "100.00", "R1"),
        (world.child_y, "48.30", "R2"),
    ):
        payment_record(
            statement=FeeStatement.objects.get(student=student),
            amount=Decimal(amount),
            method="cash",
            receipt_number=receipt,
            by=world.admin,
        )
    return term


@pytest.mark.django_db
class TestRefundBatch:
    def test_gather_approve_export_mark_paid(self, world, overpaid):
        batch = refund_batch_create(term=overpaid, by=world.admin)
        item = batch.items.get()
        assert (item.student, item.amount, batch.total) == (
            world.child_x,
            Decimal("3.40"),
            Decimal("3.40"),
        )
        with pytest.raises(ValidationError, match="审批后才能导出"):
            refund_batch_xlsx(batch=batch)
        with pytest.raises(ValidationError, match="已审批的退款批次"):
            refund_batch_mark_paid(batch=batch, by=world.admin)
        batch = refund_batch_approve(batch=batch, by=world.admin)
        with pytest.raises(ValidationError):
            refund_batch_approve(batch=batch, by=world.admin)
        rows = list(load_workbook(io.BytesIO(refund_batch_xlsx(batch=batch))).active.values)
        assert rows[1][2] == world.child_x.name and Decimal(str(rows[1][4])) == Decimal("3.40")
        batch.refresh_from_db()
        assert batch.exported_at is not None
        batch = refund_batch_mark_paid(batch=batch, by=world.admin)
        assert batch.status == RefundBatchStatus.PAID
        refund = Payment.objects.get(kind=PaymentKind.REFUND)
        assert (refund.amount, refund.receipt_number) == (
            Decimal("3.40"),
            f"TF{batch.pk}-{item.pk}",
        )
        statement = FeeStatement.objects.get(student=world.child_x)
        assert statement_paid(statement) == Decimal("96.60") == statement.total
        with pytest.raises(ValidationError):
            refund_batch_mark_paid(batch=batch, by=world.admin)
        assert Payment.objects.filter(kind=PaymentKind.REFUND).count() == 1
        # Nothing is left to gather.
        with pytest.raises(ValidationError, match="没有需要退还的结余"):
            refund_batch_create(term=overpaid, by=world.admin)

    def test_nothing_is_gathered_before_the_term_is_over(self, world, overpaid):
        # On the term's last day it can still be billed and paid.
        with time_machine.travel(datetime.datetime(2025, 1, 17, 12, tzinfo=TZ), tick=False):
            for step in (refund_batch_create, credits_carry_forward):
                with pytest.raises(ValidationError, match="2025年1月17日结束，之后才能办理"):
                    step(term=overpaid, by=world.admin)
        assert not RefundBatch.objects.exists()
        assert not Payment.objects.filter(kind=PaymentKind.REFUND).exists()
        with time_machine.travel(datetime.datetime(2025, 1, 18, 9, tzinfo=TZ), tick=False):
            assert refund_batch_create(term=overpaid, by=world.admin).total == Decimal("3.40")

    def test_a_statement_in_a_batch_is_not_gathered_twice(self, world, overpaid):
        refund_batch_create(term=overpaid, by=world.admin)
        with pytest.raises(ValidationError):
            refund_batch_create(term=overpaid, by=world.admin)
        assert RefundBatch.objects.count() == 1


@pytest.mark.django_db
class TestRefundPages:
    def test_admin_walks_the_batch_and_the_guardian_sees_the_refund(self, client, world, overpaid):
        client.force_login(world.admin)
        r = client.post(reverse("billing:refunds"), {"term": overpaid.pk})
        batch = RefundBatch.objects.get()
        assert r.url == reverse("billing:refund-batch", args=[batch.pk])
        page = reverse("billing:refund-batch", args=[batch.pk])
        assert "3.40" in client.get(page).content.decode()
        assert (
            "审批后才能导出"
            in client.post(
                reverse("billing:refund-batch-export", args=[batch.pk]), follow=True
            ).content.decode()
        )
        client.post(page, {"action": "approve"})
        export = client.post(reverse("billing:refund-batch-export", args=[batch.pk]))
        assert export["Content-Type"].startswith("application/vnd.openxmlformats")
        client.post(page, {"action": "paid"})
        assert "只有已审批" in client.post(page, {"action": "paid"}, follow=True).content.decode()
        assert "未知的操作" in client.post(page, {"action": "x"}, follow=True).content.decode()
        body = client.get(reverse("billing:refunds") + f"?term={overpaid.pk}").content.decode()
        assert "已退款" in body
        statement = FeeStatement.objects.get(student=world.child_x)
        client.force_login(world.guardian_x.user)
        body = client.get(reverse("billing:statement-detail", args=[statement.pk])).content.decode()
        assert "退费" in body and f"TF{batch.pk}-" in body
        # Nothing left: the page says so.
        client.force_login(world.admin)
        r = client.post(reverse("billing:refunds"), {"term": overpaid.pk}, follow=True)
        assert "没有需要退还的结余" in r.content.decode()

    def test_wrong_personas_are_refused(self, client, world, overpaid):
        batch = refund_batch_create(term=overpaid, by=world.admin)
        urls = [
            reverse("billing:refunds"),
            reverse("billing:refund-batch", args=[batch.pk]),
            reverse("billing:refund-batch-export", args=[batch.pk]),
        ]
        for user in (world.homeroom_a, world.teacher, world.guardian_x.user):
            client.force_login(user)
            for url in urls:
                assert (
                    client.post(url, {"action": "approve", "term": overpaid.pk}).status_code == 403
                )
        client.force_login(world.other_admin)
        for url in urls[1:]:
            assert client.post(url, {"action": "approve"}).status_code == 404
        batch.refresh_from_db()
        assert batch.status == RefundBatchStatus.DRAFT and RefundBatch.objects.count() == 1
