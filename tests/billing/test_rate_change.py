"""A rate change mid-term: from its date, days are billed at the new rate;
months already billed keep theirs; statements show the rate used.

November 2024 has 21 service days: Fri 1, 4–8, 11–15, 18–22, 25–29."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing.models import BillingMode, FeeLine, FeeRateChange, FeeStatement, LineKind
from billing.policy.services import fee_policy_save, fee_rate_change
from billing.statements.services import statements_generate
from tests.billing.conftest import SEPT, D, enrol

NOV = D(2024, 11, 1)


@pytest.mark.django_db
class TestRateChange:
    def test_days_from_the_change_use_the_new_rate_and_billed_months_keep_theirs(self, world, term):
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)
        fee_rate_change(
            term=term,
            effective_from=D(2024, 11, 11),
            rate_per_period=Decimal("2.00"),
            by=world.admin,
        )
        statements_generate(term=term, month=SEPT)
        statements_generate(term=term, month=NOV)
        sept = FeeStatement.objects.get(student=world.child_x, month=SEPT)
        assert sept.total == Decimal("96.60")
        nov = FeeStatement.objects.get(student=world.child_x, month=NOV)
        # 6 days × 2 × 2.30 = 27.60, then 15 days × 2 × 2.00 = 60.00.
        assert nov.total == Decimal("87.60")
        rates = list(
            FeeLine.objects.filter(statement=nov, kind=LineKind.CHARGE)
            .order_by("date")
            .values_list("date", "unit_price")
        )
        assert rates[5] == (D(2024, 11, 8), Decimal("2.30"))
        assert rates[6] == (D(2024, 11, 11), Decimal("2.00"))

    def test_refusals(self, world, term):
        enrol(world.child_x, term, by=world.admin)
        statements_generate(term=term, month=SEPT)

        def refused(**kw):
            with pytest.raises(ValidationError) as exc:
                fee_rate_change(term=term, by=world.admin, **kw)
            return exc.value.message_dict

        assert (
            "已出账的月份保持原单价"
            in refused(effective_from=D(2024, 9, 20), rate_per_period=Decimal("2.00"))[
                "effective_from"
            ][0]
        )
        assert refused(effective_from=D(2024, 11, 1), rate_per_period=Decimal("2.31"))[
            "rate_per_period"
        ] == ["每课时收费不得超过 2.30 元。"]
        assert refused(effective_from=D(2025, 3, 1), rate_per_period=Decimal("2.00"))[
            "effective_from"
        ] == ["生效日期应在本学期内。"]
        fee_rate_change(
            term=term,
            effective_from=D(2024, 11, 1),
            rate_per_period=Decimal("2.00"),
            by=world.admin,
        )
        assert refused(effective_from=D(2024, 11, 1), rate_per_period=Decimal("1.50"))[
            "effective_from"
        ] == ["这一天已有单价调整。"]
        fee_policy_save(term=term, data={"mode": BillingMode.PREPAY}, by=world.admin)
        assert (
            "学期中不能调整单价"
            in refused(effective_from=D(2024, 12, 2), rate_per_period=Decimal("2.00"))[
                "effective_from"
            ][0]
        )
        assert FeeRateChange.objects.count() == 1

    def test_statement_shows_the_rate_used(self, client, world, term):
        enrol(world.child_x, term, by=world.admin)
        fee_rate_change(
            term=term,
            effective_from=D(2024, 11, 11),
            rate_per_period=Decimal("2.00"),
            by=world.admin,
        )
        statements_generate(term=term, month=NOV)
        nov = FeeStatement.objects.get(student=world.child_x, month=NOV)
        client.force_login(world.guardian_x.user)
        body = client.get(reverse("billing:statement-detail", args=[nov.pk])).content.decode()
        assert "2 × 2.30 元" in body and "2 × 2.00 元" in body


@pytest.mark.django_db
class TestRateChangePage:
    def test_admin_saves_and_sees_it(self, client, world, term):
        client.force_login(world.admin)
        r = client.post(
            reverse("billing:rate-change"),
            {"term": term.pk, "effective_from": "2024-11-11", "rate_per_period": "2.00"},
        )
        assert r.status_code == 302
        body = client.get(reverse("billing:policy") + f"?term={term.pk}").content.decode()
        assert "自 2024年11月11日 起每课时 2.00 元" in body

    def test_policy_page_ids_are_unique(self, client, world, term):
        """Two forms on the page both have a rate field: each label points
        at its own input."""
        client.force_login(world.admin)
        body = client.get(reverse("billing:policy") + f"?term={term.pk}").content.decode()
        ids = re.findall(r'\sid="([^"]+)"', body)
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
        assert 'for="id_rate_change_rate_per_period"' in body

    def test_errors_are_shown_with_the_input(self, client, world, term):
        client.force_login(world.admin)
        r = client.post(
            reverse("billing:rate-change"),
            {"term": term.pk, "effective_from": "2024-11-11", "rate_per_period": "2.31"},
        )
        body = r.content.decode()
        assert r.status_code == 200 and "每课时收费不得超过 2.30 元" in body
        assert 'value="2.31"' in body
        assert not FeeRateChange.objects.exists()

    def test_wrong_personas_are_refused(self, client, world, term):
        url = reverse("billing:rate-change")
        data = {"term": term.pk, "effective_from": "2024-11-11", "rate_per_period": "2.00"}
        for user in (world.homeroom_a, world.teacher, world.guardian_x.user):
            client.force_login(user)
            assert client.post(url, data).status_code == 403
        client.force_login(world.other_admin)
        assert client.post(url, data).status_code == 404
        client.force_login(world.admin)
        assert client.get(url).status_code == 405
        assert not FeeRateChange.objects.exists()
