"""A school runs two years in a row without losing or rewriting a record of
the first: import year 1, run the autumn term (applications, agreements,
rolls, statements, payments), print a class's agreements and fee sheet,
make the spring term from the autumn one, roll over to year 2, import the
promoted roster with a new first grade, graduate the top grade — then
year 1 prints the same text as before and year 2's classes hold the right
children. Real database, real services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from afterschool.models import ClassMembership, Guardian, Role, SchoolClass, SchoolYear
from afterschool.rollover.services import school_year_rollover
from afterschool.roster.importer import roster_import
from afterschool.roster.parse import roster_parse
from afterschool.roster.selectors import roster_diff
from afterschool.selectors import students_of_class
from billing.models import FeeStatement
from billing.payments.services import payment_record
from billing.publicity.services import fee_publication_publish
from billing.sheets.export import sheet_csv
from billing.sheets.selectors import fee_sheet
from billing.statements.services import statements_generate
from billing.terms.services import term_next_from_last
from enrollment.agreements.services import (
    agreement_mark_paper_received,
    agreement_sign,
    agreement_template_current,
)
from enrollment.leavers.services import students_mark_left
from enrollment.printing.pdf import agreements_pdf
from enrollment.printing.selectors import agreements_to_print
from scheduling.attendance.selectors import roll_students
from tests import factories as f
from tests.afterschool.rosterfiles import csv_bytes, student
from tests.billing.conftest import SEPT, enrol
from tests.ops.urlwalk import pdf_text

C3, C6 = "三年级（1）班", "六年级（1）班"


def _import(rows, year, school=None, name="") -> None:
    roster = roster_parse(filename="r.csv", content=csv_bytes(rows))
    roster_import(roster=roster, start_year=year, school=school, school_name=name)


def _printed(school, term, school_class) -> tuple[str, str]:
    """The class's agreements (PDF text) and September fee sheet (CSV)."""
    apps = agreements_to_print(school_id=school.pk, term=term, school_class=school_class)
    pdf = agreements_pdf(apps, template=agreement_template_current(school=school), school=school)
    sheet = sheet_csv(fee_sheet(term=term, month=SEPT, school_class=school_class))
    return pdf_text(pdf), sheet.decode("utf-8-sig")


def _names(school_class) -> list[str]:
    return sorted(students_of_class(school_class).values_list("name", flat=True))


@pytest.mark.django_db
def test_two_school_years_in_a_row_keep_the_first_as_it_was():
    # Year 1: a 三年级 class and a graduating 六年级 class.
    _import(
        [student(1, 班级=C3), student(2, 班级=C3), student(3, 班级=C3)]
        + [student(4, 班级=C6), student(5, 班级=C6)],
        2024,
        name="实验小学",
    )
    year1 = SchoolYear.objects.get(start_year=2024)
    school = year1.school
    admin = f.make_user(school, Role.ADMIN, "admin_j", name="王校长")
    term = f.make_term(school, 2024)
    c3 = SchoolClass.objects.get(school_year=year1, grade=3)
    c6 = SchoolClass.objects.get(school_year=year1, grade=6)
    kids = {s.name: s for s in students_of_class(c3) | students_of_class(c6)}

    # The term: applications approved, agreements signed or on paper.
    apps = {name: enrol(kid, term, by=admin) for name, kid in kids.items()}
    guardian = Guardian.objects.get(students=kids["学生1"])
    agreement_sign(
        application=apps["学生1"],
        by=guardian.user,
        signed_name=guardian.name,
        consent=True,
        ip="127.0.0.1",
        today=datetime.date(2024, 9, 3),
    )
    agreement_mark_paper_received(application=apps["学生2"], by=admin)
    # Statements and a payment.
    fee_publication_publish(term=term, by=None)  # 收费公示 comes before any bill
    statements_generate(term=term, month=SEPT)
    paid = FeeStatement.objects.get(student=kids["学生1"], month=SEPT)
    payment_record(statement=paid, amount=paid.total, method="cash", receipt_number="R-1", by=admin)
    roll_before = list(roll_students(school_class_id=c3.pk, term=term, period="noon"))
    agreements_before, sheet_before = _printed(school, term, c3)
    assert "学生1" in agreements_before and "三年级" in agreements_before
    assert "学生3" in sheet_before

    # The spring term from the autumn one: times and fee standard copied,
    # applications start fresh.
    spring = term_next_from_last(
        source=term,
        by=admin,
        name="2025年春季学期",
        first_day=datetime.date(2025, 2, 17),
        last_day=datetime.date(2025, 6, 27),
    ).term
    assert spring.school_year == year1
    assert spring.participant_dismissal == term.participant_dismissal
    assert not spring.applications.exists()

    # Roll over to 2025—2026: 三年级 → 四年级, 六年级 graduates.
    result = school_year_rollover(school=school, from_year=year1, by=admin)
    year2 = result.school_year
    assert (result.students_promoted, result.students_graduated) == (3, 2)

    # Next year's roster: 学生3 has left, 学生6 joins 四年级, a new 一年级.
    c4 = "四年级（1）班"
    rows = [student(1, 班级=c4), student(2, 班级=c4), student(6, 班级=c4)]
    rows += [student(7, 班级="一年级（1）班"), student(8, 班级="一年级（1）班")]
    diff = roster_diff(
        roster=roster_parse(filename="r.csv", content=csv_bytes(rows)),
        school=school,
        start_year=2025,
    )
    assert (diff.new_count, diff.moved_count, diff.missing_count) == (3, 0, 1)
    students_mark_left(
        school=school,
        school_year=year2,
        student_ids=diff.missing_ids,
        left_on=datetime.date(2025, 9, 1),
        reason="transfer",
        by=admin,
    )
    _import(rows, 2025, school=school)

    # Year 2 holds the right children; no 七年级 was made for the graduates.
    classes2 = {(c.grade, c.number): c for c in SchoolClass.objects.filter(school_year=year2)}
    assert sorted(classes2) == [(1, 1), (4, 1)]
    assert _names(classes2[(4, 1)]) == ["学生1", "学生2", "学生3", "学生6"]
    current = ClassMembership.objects.filter(
        school_class=classes2[(4, 1)], end_date__isnull=True
    ).values_list("student__name", flat=True)
    assert sorted(current) == ["学生1", "学生2", "学生6"]
    assert _names(classes2[(1, 1)]) == ["学生7", "学生8"]

    # Year 1 is exactly as it was, even after its statements are recomputed.
    statements_generate(term=term, month=SEPT)
    assert _names(c3) == ["学生1", "学生2", "学生3"]
    assert _names(c6) == ["学生4", "学生5"]
    assert list(roll_students(school_class_id=c3.pk, term=term, period="noon")) == roll_before
    assert FeeStatement.objects.filter(school_class=c3).count() == 3
    assert FeeStatement.objects.get(pk=paid.pk).total == paid.total > Decimal("0")
    assert _printed(school, term, c3) == (agreements_before, sheet_before)

    # The admin's year-1 class page still counts its children.
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("people:class-list") + f"?school_year={year1.pk}")
    assert page.status_code == 200
    listed = client.get(
        reverse("people:student-list") + f"?school_year={year1.pk}&school_class={c3.pk}"
    ).content.decode()
    assert all(f"学生{n}" in listed for n in (1, 2, 3)) and "学生6" not in listed
