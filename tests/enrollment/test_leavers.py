"""Students marked as left from a date: membership ends, applications are
withdrawn dated that day, billing charges nothing from that day on."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from afterschool.models import ClassMembership, LeaveReason, RosterUpload
from afterschool.roster.importer import roster_upload_create
from afterschool.selectors import students_of_class
from billing.models import FeeLine, FeeStatement
from billing.publicity.services import fee_publication_publish
from billing.statements.services import statements_generate
from enrollment.leavers.services import students_mark_left
from enrollment.models import Application, ApplicationEvent, Status
from tests.afterschool.rosterfiles import csv_bytes, student
from tests.billing.conftest import SEPT, enrol

D = datetime.date


@pytest.fixture
def term(world):
    from tests import factories as f

    return f.make_term(world.school, 2024)


@pytest.mark.django_db
class TestStudentsMarkLeft:
    def test_billing_stops_from_the_leave_date(self, world, term):
        enrol(world.child_x, term, by=world.admin)
        enrol(world.child_y, term, by=world.admin)
        result = students_mark_left(
            school=world.school,
            school_year=term.school_year,
            student_ids=[world.child_x.pk],
            left_on=D(2024, 9, 9),
            reason=LeaveReason.TRANSFER,
            by=world.admin,
        )
        assert (result.students, result.memberships_ended, result.applications_withdrawn) == (
            1,
            1,
            1,
        )
        fee_publication_publish(term=term, by=None)  # 收费公示 comes before any bill
        statements_generate(term=term, month=SEPT)
        left = FeeStatement.objects.get(student=world.child_x)
        stayed = FeeStatement.objects.get(student=world.child_y)
        # Mon 2 – Fri 6 September: 5 service days × 2 periods × 2.30 yuan.
        assert (left.days, left.total) == (5, Decimal("23.00"))
        assert not FeeLine.objects.filter(statement=left, date__gte=D(2024, 9, 9)).exists()
        assert stayed.days > left.days and stayed.total > left.total

    def test_the_application_is_withdrawn_with_the_reason_dated_the_leave_day(self, world, term):
        app = enrol(world.child_x, term, by=world.admin)
        students_mark_left(
            school=world.school,
            school_year=term.school_year,
            student_ids=[world.child_x.pk],
            left_on=D(2024, 10, 8),
            reason=LeaveReason.LEFT,
            by=world.admin,
        )
        app.refresh_from_db()
        assert app.status == Status.WITHDRAWN
        assert app.last_reason == "离校：自 2024-10-08 起离校"
        event = ApplicationEvent.objects.filter(application=app).latest("at")
        assert event.to_status == Status.WITHDRAWN
        assert timezone.localdate(event.at) == D(2024, 10, 8)
        membership = ClassMembership.objects.get(student=world.child_x)
        assert (membership.end_date, membership.leave_reason) == (D(2024, 10, 8), "left")
        # The class still lists the child for its year (history), marked left.
        assert list(students_of_class(world.class_a)) == [world.child_x]

    def test_a_second_submit_writes_nothing_more(self, world, term):
        enrol(world.child_x, term, by=world.admin)
        kwargs = {
            "school": world.school,
            "school_year": term.school_year,
            "student_ids": [world.child_x.pk],
            "left_on": D(2024, 9, 9),
            "reason": LeaveReason.TRANSFER,
            "by": world.admin,
        }
        students_mark_left(**kwargs)
        again = students_mark_left(**kwargs)
        assert (again.memberships_ended, again.applications_withdrawn) == (0, 0)
        assert ApplicationEvent.objects.filter(to_status=Status.WITHDRAWN).count() == 1

    @pytest.mark.parametrize("who", ["homeroom_a", "other_admin"])
    def test_only_the_schools_admin(self, world, term, who):
        enrol(world.child_x, term, by=world.admin)
        with pytest.raises(ValidationError, match="只有本校管理员"):
            students_mark_left(
                school=world.school,
                school_year=term.school_year,
                student_ids=[world.child_x.pk],
                left_on=D(2024, 9, 9),
                reason=LeaveReason.TRANSFER,
                by=getattr(world, who),
            )
        assert Application.objects.get(student=world.child_x).status == Status.APPROVED

    def test_another_schools_student_is_never_touched(self, world, term):
        with pytest.raises(ValidationError, match="请选择要标记为离校的学生"):
            students_mark_left(
                school=world.school,
                school_year=term.school_year,
                student_ids=[world.other_child.pk],
                left_on=D(2024, 9, 9),
                reason=LeaveReason.TRANSFER,
                by=world.admin,
            )
        assert ClassMembership.objects.get(student=world.other_child).end_date is None


def _upload(world) -> RosterUpload:
    """A file for 三年级（1）班 of 2024 without child X (so X is not in it)."""
    return roster_upload_create(
        school=world.school,
        by=world.admin,
        filename="a.csv",
        content=csv_bytes([student(1), student(2)]),
        start_year=2024,
    )


@pytest.mark.django_db
class TestLeaversFromThePreview:
    def test_the_preview_lists_child_x_as_not_in_the_file_and_marks_them_left(self, world, term):
        enrol(world.child_x, term, by=world.admin)
        upload = _upload(world)
        client = Client()
        client.force_login(world.admin)
        page = client.get(reverse("roster:preview", args=[upload.pk])).content.decode()
        assert "在班但名册中没有（1）" in page and "张小明" in page
        response = client.post(
            reverse("enrollment:roster-leavers", args=[upload.pk]),
            {"all": "1", "left_on": "2024-09-09", "reason": "transfer"},
        )
        assert response.status_code == 302
        assert ClassMembership.objects.get(student=world.child_x).end_date == D(2024, 9, 9)
        assert Application.objects.get(student=world.child_x).status == Status.WITHDRAWN

    def test_a_student_not_listed_as_missing_is_refused(self, world, term):
        upload = _upload(world)
        client = Client()
        client.force_login(world.admin)
        client.post(
            reverse("enrollment:roster-leavers", args=[upload.pk]),
            {"student": [world.child_y.pk], "left_on": "2024-09-09", "reason": "transfer"},
        )
        assert ClassMembership.objects.get(student=world.child_y).end_date is None

    @pytest.mark.parametrize("who", ["homeroom_a", "teacher", "other_admin"])
    def test_wrong_personas_write_nothing(self, world, term, who):
        upload = _upload(world)
        user = getattr(world, who)
        client = Client()
        client.force_login(user)
        response = client.post(
            reverse("enrollment:roster-leavers", args=[upload.pk]),
            {"all": "1", "left_on": "2024-09-09", "reason": "transfer"},
        )
        assert response.status_code in (403, 404)
        assert ClassMembership.objects.get(student=world.child_x).end_date is None

    def test_a_guardian_gets_403_and_get_is_not_allowed(self, world, term):
        upload = _upload(world)
        client = Client()
        client.force_login(world.guardian_x.user)
        url = reverse("enrollment:roster-leavers", args=[upload.pk])
        assert client.post(url, {"all": "1"}).status_code == 403
        admin = Client()
        admin.force_login(world.admin)
        assert admin.get(url).status_code == 405
