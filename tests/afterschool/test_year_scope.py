"""After a rollover, last year's classes keep their children but are no
longer offered on this year's pages (dismissal, homework, timetable, the
homeroom teacher's home, the students filter), and a child with a class in
each year is listed once."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from afterschool.models import Role, SchoolClass
from afterschool.rollover.services import school_year_rollover
from afterschool.selectors import classes_in_year_of, school_year_start
from enrollment.models import ClassSubmission, Status
from scheduling.homework.services import homework_publish
from tests import factories as f
from tests.billing.conftest import enrol

NOW = datetime.datetime(2026, 12, 1, 10, 0)
OLD, NEW = "三年级（2）班", "四年级（2）班"

pytestmark = pytest.mark.django_db


@pytest.fixture
def rolled():
    """实验小学: 三年级（2）班 of 2025—2026 with three children, rolled over
    into 四年级（2）班 of 2026—2027 (same homeroom teacher), whose autumn
    term runs now."""
    with time_machine.travel(NOW, tick=False):
        school = f.make_school("实验小学")
        admin = f.make_user(school, Role.ADMIN, "admin_y", name="王校长")
        homeroom = f.make_user(school, Role.HOMEROOM, "hr_y", name="李老师")
        old = f.make_class(school, 3, 2, homeroom, start_year=2025)
        kids = [f.make_student(old, name) for name in ("张一", "张二", "张三")]
        school_year_rollover(school=school, from_year=old.school_year, by=admin)
        new = SchoolClass.objects.get(school_year__start_year=2026, grade=4, number=2)
        term = f.make_term(school, 2026)
        yield {
            "school": school,
            "admin": admin,
            "homeroom": homeroom,
            "old": old,
            "new": new,
            "kids": kids,
            "term": term,
        }


def _page(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_school_year_starts_in_august():
    assert school_year_start(datetime.date(2026, 7, 31)) == 2025
    assert school_year_start(datetime.date(2026, 8, 1)) == 2026
    assert school_year_start(datetime.date(2027, 1, 15)) == 2026


def test_classes_of_the_year_of_a_day(rolled):
    classes = SchoolClass.objects.filter(school=rolled["school"])
    assert list(classes_in_year_of(classes)) == [rolled["new"]]
    assert list(classes_in_year_of(classes, datetime.date(2026, 3, 2))) == [rolled["old"]]
    # A day of a year the school has no classes for: its latest year.
    assert list(classes_in_year_of(classes, datetime.date(2030, 3, 2))) == [rolled["new"]]


def test_dismissal_lists_this_years_classes_only(rolled):
    html = _page(rolled["admin"], reverse("scheduling:dismissal-index"))
    assert NEW in html and OLD not in html
    client = Client()
    client.force_login(rolled["admin"])
    url = reverse("scheduling:dismissal-class", args=[rolled["old"].pk])
    assert client.get(url).status_code == 404
    assert client.get(url + "?date=2026-03-02").status_code == 200


def test_homework_offers_and_accepts_this_years_classes_only(rolled):
    html = _page(rolled["homeroom"], reverse("scheduling:homework"))
    assert NEW in html and OLD not in html
    client = Client()
    client.force_login(rolled["homeroom"])
    old_url = reverse("scheduling:homework") + f"?class={rolled['old'].pk}"
    assert client.get(old_url).status_code == 404
    with pytest.raises(ValidationError, match="不是该日期所在学年的班级"):
        homework_publish(
            school_class=rolled["old"],
            date=datetime.date(2026, 12, 1),
            subject="语文",
            content="背诵",
            is_written=False,
            minutes=10,
            by=rolled["homeroom"],
        )


def test_homeroom_home_timetable_and_students_filter_show_one_class(rolled):
    home = _page(rolled["homeroom"], reverse("home"))
    assert home.count(NEW) >= 1 and OLD not in home
    timetable = _page(rolled["homeroom"], reverse("scheduling:timetable-me"))
    assert NEW in timetable and OLD not in timetable
    students = _page(rolled["admin"], reverse("people:student-list"))
    assert f">{NEW}</option>" in students and f">{OLD}</option>" not in students


def test_a_submission_lists_each_child_once(rolled):
    term, new = rolled["term"], rolled["new"]
    submission = ClassSubmission.objects.create(
        school_class=new, term=term, submitted_by=rolled["homeroom"]
    )
    for kid in rolled["kids"]:
        app = enrol(kid, term, by=rolled["admin"])
        app.class_submission = submission
        app.status = Status.SUBMITTED_TO_SCHOOL
        app.save(update_fields=["class_submission", "status"])
    rolled["kids"][0].applications.update(status=Status.APPROVED)
    html = _page(rolled["admin"], reverse("enrollment:submission-detail", args=[submission.pk]))
    for kid in rolled["kids"]:
        assert html.count(kid.name) == 1, kid.name
