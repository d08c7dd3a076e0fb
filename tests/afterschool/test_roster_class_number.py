"""The roster's 班内学号 column fills Student.class_number (the class-list
order); a file without it keeps the numbers the school already has."""

import pytest

from afterschool.models import Student
from afterschool.roster.importer import roster_import
from afterschool.roster.parse import roster_parse
from tests.afterschool.rosterfiles import HEADER, csv_bytes, student

pytestmark = pytest.mark.django_db
WITH_SEAT = [*HEADER, "班内学号"]


def load(rows, header=HEADER):
    roster = roster_parse(filename="a.csv", content=csv_bytes(rows, header=header))
    assert not roster.problems, roster.problems
    roster_import(roster=roster, start_year=2024, school_name="实验小学")


def test_class_number_is_imported_and_kept_by_a_file_without_it():
    load([student(1, 班内学号=2), student(2, 班内学号=1)], header=WITH_SEAT)
    assert dict(Student.objects.values_list("name", "class_number")) == {"学生1": 2, "学生2": 1}
    load([student(1, 姓名="学生一"), student(2)])
    assert dict(Student.objects.values_list("name", "class_number")) == {"学生一": 2, "学生2": 1}


def test_a_bad_class_number_is_a_chinese_problem_naming_the_row():
    roster = roster_parse(
        filename="a.csv", content=csv_bytes([student(1, 班内学号="三")], header=WITH_SEAT)
    )
    assert any("班内学号「三」" in p.message for p in roster.problems)
