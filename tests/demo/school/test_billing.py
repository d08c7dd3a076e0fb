"""Billing's demo step (demo/billing.py) on the demo school.

``load_demo`` runs every app's step (enrollment's approves most families
before the term); loaded once for the module, rolled back.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from afterschool.models import School
from billing.models import FeeLine, FeePolicy, FeeStatement, Payment
from billing.sheets.export import sheet_pdf
from billing.sheets.selectors import fee_sheet
from demo import billing as billing_demo
from demo import school as school_demo
from enrollment.models import ApplicationEvent, Status


def _enrolled_in_september() -> set[int]:
    """Students whose application the enrollment demo approved by 30 Sep and
    who are still approved: each must have a September statement."""
    school = School.objects.get(name=school_demo.SCHOOL_NAME)
    cutoff = timezone.make_aware(datetime.datetime(2024, 9, 30, 23, 59))
    return set(
        ApplicationEvent.objects.filter(
            application__term__school=school,
            application__term__name="2024年秋季学期",
            application__status=Status.APPROVED,
            to_status=Status.APPROVED,
            at__lte=cutoff,
        ).values_list("application__student_id", flat=True)
    )


@pytest.fixture(scope="module")
def loaded(demo_output, django_db_blocker) -> set[int]:
    with django_db_blocker.unblock():
        return _enrolled_in_september()


class TestBillingDemo:
    def test_policy_per_period_with_the_seed_document(self, school):
        policy = FeePolicy.objects.get(school=school, term__name="2024年秋季学期")
        assert (policy.rate_per_period, policy.periods_per_day, policy.mode) == (
            Decimal("2.30"),
            2,
            "per_period",
        )
        assert school.fee_document == billing_demo.FEE_DOCUMENT

    def test_statements_september_to_december_for_every_enrolled_student(self, school, loaded):
        autumn = FeeStatement.objects.filter(term__name="2024年秋季学期")
        months = autumn.values_list("month", flat=True)
        # Every month over by 2025-01-15; the previous term (spring 2024) all of its.
        assert sorted({m.month for m in months}) == [9, 10, 11, 12]
        spring = FeeStatement.objects.filter(term__name="2024年春季学期")
        assert sorted({m.month for m in spring.values_list("month", flat=True)}) == [
            2,
            3,
            4,
            5,
            6,
            7,
        ]
        september = set(autumn.filter(month__month=9).values_list("student_id", flat=True))
        assert len(loaded) > 300
        assert loaded <= september
        s = autumn.filter(month__month=9, periods=42).first()
        assert s.total == Decimal("96.60")
        assert sum(FeeLine.objects.filter(statement=s).values_list("amount", flat=True)) == s.total

    def test_most_of_september_paid_fewer_later(self, school, loaded):
        paid = {
            m: Payment.objects.filter(school=school, statement__month__month=m).count()
            for m in (9, 10, 11, 12)
        }
        assert paid[9] > len(loaded) * 0.7
        assert paid[9] > paid[10] > paid[11] > paid[12] > 0

    def test_fee_sheet_prints(self, school):
        term = school.terms.get(name="2024年秋季学期")
        september = datetime.date(2024, 9, 1)
        assert len(fee_sheet(term=term, month=september).rows) > 80
        # One class's sheet as PDF: the school's (~1,000 rows) is the same
        # template at 20 times the layout time.
        one_class = school.classes.get(grade=3, number=2, school_year=term.school_year)
        sheet = fee_sheet(term=term, month=september, school_class=one_class)
        assert len(sheet.rows) > 20
        assert sheet_pdf(sheet)[:4] == b"%PDF"
