"""Benchmark: import a 1,080-student roster (6 grades × 4 classes × 45).

Run from the project folder:

    .venv/bin/python bench/import_roster.py                    # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/import_roster.py

Creates a throwaway test database on the server DATABASE_URL points at (as
the test runner does: ``test_<name>``), so no real data is touched. Times,
best of ``--rounds``:

- parse: reading and checking the generated .xlsx (no database);
- import: the first import (everything created) of the parsed roster;
- re-import: the same roster again (nothing changes);
- baseline: a plain ``Student.objects.bulk_create`` of 1,080 rows into one
  existing class, the cheapest way to put that many students in the table.

Prints seconds and each figure's ratio to the baseline measured in the same
run. The target (BENCHMARKS.md, roster import) is the import well under 10 s.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
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
from django.test.utils import setup_test_environment  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from afterschool.idnumbers import id_check_char  # noqa: E402
from afterschool.models import (  # noqa: E402
    Guardian,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    User,
)
from afterschool.roster.importer import roster_import  # noqa: E402
from afterschool.roster.parse import roster_parse  # noqa: E402

GRADES, CLASSES, PER_CLASS = 6, 4, 45
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
HEADER = [
    "序号", "全国学籍号", "姓名", "性别", "出生日期", "班级", "身份证号", "家长姓名",
    "与学生关系", "联系电话", "是否住宿", "随迁子女", "留守儿童", "残疾儿童", "家庭经济困难",
]  # fmt: skip
GRADE_CN = "一二三四五六"


def roster_xlsx(seed: int = 2024) -> bytes:
    """1,080 rows; about one family in twenty has two children (shared mobile)."""
    rng = random.Random(seed)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["2024年秋季学生名单"])
    sheet.append(HEADER)
    n = 0
    last_family = None
    for grade in range(1, GRADES + 1):
        for number in range(1, CLASSES + 1):
            for _ in range(PER_CLASS):
                n += 1
                birth = datetime.date(2024 - grade - 6, 9, 1) + datetime.timedelta(
                    days=rng.randrange(365)
                )
                first17 = f"{rng.randrange(110000, 659000)}{birth:%Y%m%d}{n % 1000:03d}"
                id_number = first17 + id_check_char(first17)
                surname = rng.choice(SURNAMES)
                if last_family and rng.random() < 0.05:
                    guardian, mobile = last_family  # a sibling
                else:
                    guardian = surname + rng.choice(GIVEN)
                    mobile = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
                last_family = (guardian, mobile)
                sheet.append([
                    n, f"G{id_number}", surname + rng.choice(GIVEN) + rng.choice(GIVEN),
                    rng.choice("男女"), birth.isoformat(),
                    f"{GRADE_CN[grade - 1]}年级（{number}）班",
                    id_number, guardian, rng.choice(["父亲", "母亲", "祖父", "祖母"]), mobile,
                    "是" if rng.random() < 0.02 else "否", "否", "否", "否",
                    "是" if rng.random() < 0.01 else "否",
                ])  # fmt: skip
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def clear() -> None:
    with transaction.atomic():
        Student.objects.all().delete()
        Guardian.objects.all().delete()
        User.objects.filter(role="guardian").delete()
        SchoolClass.objects.all().delete()
        SchoolYear.objects.all().delete()
        School.objects.all().delete()


def best(fn, rounds: int, before=None) -> float:
    times = []
    for _ in range(rounds):
        if before:
            before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        # A file, like the default set-up, not the test runner's in-memory database.
        tmp = tempfile.mkdtemp(prefix="bench-roster-")
        connection.settings_dict["TEST"]["NAME"] = str(Path(tmp) / "bench.sqlite3")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        content = roster_xlsx()
        t_parse = best(lambda: roster_parse(filename="bench.xlsx", content=content), args.rounds)
        roster = roster_parse(filename="bench.xlsx", content=content)
        assert not roster.problems, roster.problems[:3]
        rows = len(roster.rows)

        def do_import():
            roster_import(roster=roster, start_year=2024, school_name="基准小学")

        t_import = best(do_import, args.rounds, before=clear)
        summary = roster_import(roster=roster, start_year=2024, school_name="基准小学")
        assert summary.students_unchanged == rows
        t_reimport = best(do_import, args.rounds)

        clear()
        school = School.objects.create(name="基准小学")
        year = SchoolYear.objects.create(school=school, start_year=2024)
        school_class = SchoolClass.objects.create(
            school=school, school_year=year, grade=3, number=1
        )

        def baseline():
            with transaction.atomic():
                Student.objects.bulk_create(
                    Student(
                        school=school,
                        school_class=school_class,
                        student_number=row.student_number,
                        name=row.name,
                        gender=row.gender,
                        birth_date=row.birth_date,
                        id_number=row.id_number,
                    )
                    for row in roster.rows
                )

        t_base = best(baseline, args.rounds, before=lambda: Student.objects.all().delete())
        families = len({row.mobile for row in roster.rows})
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if connection.vendor == "sqlite":
            shutil.rmtree(tmp, ignore_errors=True)

    print(f"database: {connection.vendor}; {rows} students, {families} families")
    print(f"best of {args.rounds} rounds")
    print(f"baseline bulk_create of {rows} Student rows: {t_base:.3f} s (1.0×)")
    print(f"parse .xlsx:                   {t_parse:.3f} s ({t_parse / t_base:.1f}× baseline)")
    print(f"import (all new):              {t_import:.3f} s ({t_import / t_base:.1f}× baseline)")
    print(
        f"re-import (unchanged):         {t_reimport:.3f} s ({t_reimport / t_base:.1f}× baseline)"
    )
    print(f"parse + import:                {t_parse + t_import:.3f} s (target: well under 10 s)")


if __name__ == "__main__":
    main()
