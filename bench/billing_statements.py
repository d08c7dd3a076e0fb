"""Benchmark: a month's fee statements for 3,000 students, and the school's
fee sheet of 3,000 rows as PDF and .xlsx.

Run from the project folder:

    .venv/bin/python bench/billing_statements.py                 # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/billing_statements.py

Creates a throwaway test database on the server DATABASE_URL points at, so
no real data is touched. Builds a school with 60 classes × 50 students (and
one of 6 × 50 = 300 to show the query count does not grow), every student
enrolled for both periods from the start of autumn 2024, one in ten with
three days of approved leave in September. Times, best of ``--rounds``:

- baseline: ``FeeLine.objects.bulk_create`` of as many rows as the month's
  statements hold (the cheapest way to write that many lines);
- generate: ``billing.statements.services.statements_generate`` for September, all new;
- recompute: the same again (nothing changed, nothing written);
- fee sheet: ``billing.sheets.selectors.fee_sheet`` + PDF (WeasyPrint, A4
  landscape) and + .xlsx (openpyxl) for the whole school.

Prints seconds, ratios to the baseline, and the SQL query counts at 300 and
3,000 students.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "afterschool.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from afterschool.models import School, SchoolClass, SchoolYear, Student, Term, User  # noqa: E402
from afterschool.rollover.services import memberships_sync  # noqa: E402
from billing.models import FeeLine, FeeStatement  # noqa: E402
from billing.publicity.services import fee_publication_publish  # noqa: E402
from billing.sheets.export import sheet_pdf, sheet_xlsx  # noqa: E402
from billing.sheets.selectors import fee_sheet  # noqa: E402
from billing.statements.services import statements_generate  # noqa: E402
from enrollment.models import Application, ApplicationEvent, Status  # noqa: E402
from scheduling.models import LeaveKind, LeaveRequest, LeaveStatus  # noqa: E402

SEPT = datetime.date(2024, 9, 1)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def build_school(name: str, classes: int, per_class: int = 50) -> Term:
    """A school with ``classes`` × ``per_class`` enrolled students (bulk)."""
    school = School.objects.create(name=name, fee_document="X教发【2024】X号")
    year = SchoolYear.objects.create(school=school, start_year=2024)
    term = Term.objects.create(
        school=school,
        school_year=year,
        name="2024年秋季学期",
        first_day=datetime.date(2024, 9, 2),
        last_day=datetime.date(2025, 1, 17),
    )
    admin = User.objects.create(username=f"admin-{name}", school=school, role="admin")
    made = SchoolClass.objects.bulk_create(
        SchoolClass(school=school, school_year=year, grade=1 + i // 10, number=1 + i % 10)
        for i in range(classes)
    )
    students = Student.objects.bulk_create(
        Student(
            school=school,
            school_class=c,
            student_number=f"{name}-{c.grade}-{c.number}-{k:02d}",
            name=SURNAMES[k % len(SURNAMES)] + "同学",
            gender="M" if k % 2 else "F",
        )
        for c in made
        for k in range(per_class)
    )
    memberships_sync(students=students)
    apps = Application.objects.bulk_create(
        Application(
            student=s,
            term=term,
            status=Status.APPROVED,
            wants_noon=True,
            wants_after_school=True,
            goes_home_alone=True,
            reason="父母下班晚",
            created_by=admin,
        )
        for s in students
    )
    at = timezone.make_aware(datetime.datetime(2024, 8, 30, 10))
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(
            application=a,
            from_status=Status.SUBMITTED_TO_SCHOOL,
            to_status=Status.APPROVED,
            by=admin,
            at=at,
        )
        for a in apps
    )
    LeaveRequest.objects.bulk_create(
        LeaveRequest(
            student=s,
            term=term,
            kind=LeaveKind.DAYS,
            first_day=datetime.date(2024, 9, 9),
            last_day=datetime.date(2024, 9, 11),
            reason="看病",
            status=LeaveStatus.APPROVED,
            requested_by=admin,
        )
        for s in students[::10]
    )
    fee_publication_publish(term=term, by=admin)
    return Term.objects.select_related("school").get(pk=term.pk)


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def best(fn, rounds: int, before=None) -> float:
    times = []
    for _ in range(rounds):
        if before:
            before()
        times.append(timed(fn)[0])
    return min(times)


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def fresh(term: Term) -> Term:
    return Term.objects.select_related("school").get(pk=term.pk)


def clear(term: Term):
    def run():
        FeeStatement.objects.filter(term=term).delete()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        tmp = tempfile.mkdtemp(prefix="bench-billing-")
        connection.settings_dict["TEST"]["NAME"] = str(Path(tmp) / "bench.sqlite3")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        with transaction.atomic():
            small = build_school("三百人小学", 6)
            big = build_school("三千人小学", 60)
        n_big = Student.objects.filter(school=big.school).count()
        n_small = Student.objects.filter(school=small.school).count()

        q_small = queries(lambda: statements_generate(term=fresh(small), month=SEPT))
        q_small_again = queries(lambda: statements_generate(term=fresh(small), month=SEPT))

        t_generate = best(
            lambda: statements_generate(term=fresh(big), month=SEPT),
            args.rounds,
            before=clear(big),
        )
        FeeStatement.objects.filter(term=big).delete()
        q_big = queries(lambda: statements_generate(term=fresh(big), month=SEPT))
        t_again = best(lambda: statements_generate(term=fresh(big), month=SEPT), args.rounds)
        q_big_again = queries(lambda: statements_generate(term=fresh(big), month=SEPT))
        lines = list(
            FeeLine.objects.filter(statement__term=big).values(
                "statement_id",
                "kind",
                "date",
                "description",
                "quantity",
                "unit_price",
                "amount",
                "position",
            )
        )
        total = sum(r["amount"] for r in lines)

        def baseline():
            with transaction.atomic():
                FeeLine.objects.bulk_create(FeeLine(**r) for r in lines)

        # The same rows written back into the emptied table, as generate did.
        t_base = best(
            baseline,
            args.rounds,
            before=lambda: FeeLine.objects.filter(statement__term=big).delete(),
        )

        sheet = fee_sheet(term=big, month=SEPT)
        assert len(sheet.rows) == n_big and sheet.totals.total == total
        t_sheet = best(lambda: fee_sheet(term=fresh(big), month=SEPT), args.rounds)
        t_pdf, pdf = timed(lambda: sheet_pdf(sheet))
        t_xlsx = best(lambda: sheet_xlsx(sheet), args.rounds)
        xlsx = sheet_xlsx(sheet)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if connection.vendor == "sqlite":
            shutil.rmtree(tmp, ignore_errors=True)

    print(f"database: {connection.vendor}; best of {args.rounds} rounds (PDF: one round)")
    print(f"{n_big} students, {len(lines)} fee lines, September total {total} yuan")
    print(f"baseline bulk_create of {len(lines)} FeeLine rows: {t_base:.3f} s (1.0×)")
    print(f"generate September (all new):  {t_generate:.3f} s ({t_generate / t_base:.1f}×)")
    print(f"recompute (nothing changed):   {t_again:.3f} s ({t_again / t_base:.1f}×)")
    print(
        f"SQL queries, generate / recompute: {n_small} students {q_small} / {q_small_again}; "
        f"{n_big} students {q_big} / {q_big_again}"
    )
    print(f"fee sheet data ({n_big} rows):   {t_sheet:.3f} s ({t_sheet / t_base:.1f}×)")
    print(f"fee sheet PDF:                 {t_pdf:.3f} s ({len(pdf) // 1024} KiB)")
    print(f"fee sheet .xlsx:               {t_xlsx:.3f} s ({len(xlsx) // 1024} KiB)")


if __name__ == "__main__":
    main()
