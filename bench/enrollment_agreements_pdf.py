"""Benchmark: N approved agreements (default 1,000) printed as one PDF.

Run from the project folder:

    .venv/bin/python bench/enrollment_agreements_pdf.py [--n 1000] [--modes parts,one]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x \
        .venv/bin/python bench/enrollment_agreements_pdf.py

Creates a throwaway test database (``test_<name>``; SQLite: a temporary
file) with N students in 24 classes, each with an approved application,
60% of them with an agreement signed online (frozen text), 15% received on
paper, the rest unsigned. Then each way of printing runs in its own fresh
Python process, which reports its wall time (loading the rows, rendering,
joining), its peak resident memory (``ru_maxrss``) and the file's size:

- ``idle``: the same process set-up (Django, WeasyPrint imported, rows
  loaded) without rendering: the floor of the memory figures;
- ``parts``: what the product does (``enrollment.printing.pdf.agreements_pdf``):
  ``AGREEMENTS_PER_PART`` agreements per WeasyPrint document, joined with
  pypdf;
- ``parts:K``: the same with K agreements per document;
- ``single``: the same path with one agreement per WeasyPrint document;
- ``one`` (the baseline): WeasyPrint renders the same template with all N
  agreements as ONE document.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import shutil
import subprocess
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
from django.utils import timezone  # noqa: E402

from afterschool.idnumbers import id_check_char  # noqa: E402
from afterschool.models import (  # noqa: E402
    Guardian,
    Guardianship,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    Term,
    User,
)
from afterschool.rollover.services import memberships_sync  # noqa: E402
from enrollment.agreements.texts import agreement_context, agreement_render  # noqa: E402
from enrollment.models import Agreement, Application, Status  # noqa: E402

SCHOOL = "基准小学"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def build(n: int) -> None:
    """N students with approved applications and agreements (bulk)."""
    from enrollment.agreements.services import agreement_template_current

    school = School.objects.create(name=SCHOOL)
    year = SchoolYear.objects.create(school=school, start_year=2024)
    term = Term.objects.create(
        school=school,
        school_year=year,
        name="2024年秋季学期",
        first_day=datetime.date(2024, 9, 2),
        last_day=datetime.date(2025, 1, 17),
    )
    admin = User.objects.create_user(username="bench_admin", school=school, role="admin")
    classes = SchoolClass.objects.bulk_create(
        SchoolClass(school=school, school_year=year, grade=g, number=k)
        for g in range(1, 7)
        for k in range(1, 5)
    )
    students, guardians = [], []
    for i in range(n):
        first17 = f"130925{2014 + i % 6}0901{i % 1000:03d}"
        name = SURNAMES[i % 20] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i // 3) % len(GIVEN)]
        students.append(
            Student(
                school=school,
                school_class=classes[i % len(classes)],
                student_number=f"G{i:08d}",
                name=name,
                gender="M",
                birth_date=datetime.date(2014 + i % 6, 9, 1),
                id_number=first17 + id_check_char(first17),
            )
        )
        guardians.append(Guardian(school=school, name=name[0] + "家长", mobile=f"139{i:08d}"))
    Student.objects.bulk_create(students)
    memberships_sync(students=students)
    Guardian.objects.bulk_create(guardians)
    Guardianship.objects.bulk_create(
        Guardianship(student=s, guardian=g, relation="母亲")
        for s, g in zip(students, guardians, strict=True)
    )
    apps = Application.objects.bulk_create(
        Application(
            student=s,
            term=term,
            status=Status.APPROVED,
            wants_after_school=True,
            wants_noon=i % 3 != 0,
            pickup_name=g.name,
            pickup_relation="母亲",
            pickup_mobile=g.mobile,
            emergency_name=g.name,
            emergency_mobile=g.mobile,
            reason="父母下班晚。",
            created_by=admin,
        )
        for i, (s, g) in enumerate(zip(students, guardians, strict=True))
    )
    template = agreement_template_current(school=school)
    now = timezone.now()
    agreements = []
    for i, (app, g) in enumerate(zip(apps, guardians, strict=True)):
        kind = i % 20
        if kind >= 15:
            continue  # unsigned
        app.student.school = school
        online = kind < 12
        text = agreement_render(
            body=template.body,
            context=agreement_context(
                application=app,
                guardian_name=g.name,
                signature=g.name if online else "",
                signed_on=now.date() if online else None,
            ),
        )
        agreements.append(
            Agreement(
                application=app,
                template=template,
                template_version=1,
                text=text,
                signed_name=g.name if online else "",
                consent=online,
                signed_by=admin if online else None,
                signed_at=now if online else None,
                paper_received_by=None if online else admin,
                paper_received_at=None if online else now,
            )
        )
    Agreement.objects.bulk_create(agreements)


def child(mode: str) -> None:
    """Run one way of printing in this process; print a JSON line."""
    import io

    from pypdf import PdfReader

    from afterschool.pdf import render_pdf
    from enrollment.agreements.services import agreement_template_current
    from enrollment.printing import pdf
    from enrollment.printing.selectors import pdf_applications

    __import__("weasyprint")  # every mode pays for loading it
    start = time.perf_counter()
    school = School.objects.get(name=SCHOOL)
    template = agreement_template_current(school=school)
    apps = list(
        pdf_applications(Application.objects.filter(status=Status.APPROVED)).order_by(
            "student__school_class__grade", "student__school_class__number", "student__name"
        )
    )
    data = b""
    if mode == "parts":
        data = pdf.agreements_pdf(apps, template=template, school=school)
    elif mode.startswith("parts:"):
        per_part = int(mode.split(":")[1])
        data = pdf.agreements_pdf(apps, template=template, school=school, per_part=per_part)
    elif mode == "single":
        data = pdf.agreements_pdf(apps, template=template, school=school, per_part=1)
    elif mode == "one":
        pages = [pdf.agreement_page(a, template=template) for a in apps]
        data = render_pdf(
            "enrollment/pdf/agreements.html",
            {"pages": pages, "school": school, "printed_at": timezone.localtime()},
        )
    seconds = time.perf_counter() - start
    page_count = len(PdfReader(io.BytesIO(data)).pages) if data else 0
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "mode": mode,
                "agreements": len(apps),
                "seconds": seconds,
                "peak_mib": peak_kib / 1024,
                "mb": len(data) / 1e6,
                "pages": page_count,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--modes", default="idle,parts,single,one")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    tmp = None
    if connection.vendor == "sqlite":
        tmp = tempfile.mkdtemp(prefix="bench-agreements-")
        connection.settings_dict["TEST"]["NAME"] = str(Path(tmp) / "bench.sqlite3")
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    if connection.vendor == "sqlite":
        child_url = f"sqlite:///{test_name}"
    else:
        s = connection.settings_dict
        child_url = (
            f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:"
            f"{s['PORT'] or 5432}/{test_name}"
        )
    results = []
    try:
        start = time.perf_counter()
        with transaction.atomic():
            build(args.n)
        print(f"built {args.n} agreements in {time.perf_counter() - start:.1f} s", flush=True)
        for mode in args.modes.split(","):
            out = subprocess.run(
                [sys.executable, __file__, "--child", mode],
                env={**os.environ, "DATABASE_URL": child_url},
                capture_output=True,
                text=True,
            )
            if out.returncode:
                print(out.stderr[-3000:], file=sys.stderr)
                raise SystemExit(f"{mode} failed")
            result = json.loads(out.stdout.strip().splitlines()[-1])
            results.append(result)
            print(json.dumps(result), flush=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    base = next((r for r in results if r["mode"] == "one"), None)
    print(f"\ndatabase: {connection.vendor}; {args.n} agreements")
    print(f"{'mode':8} {'seconds':>9} {'peak MiB':>9} {'file MB':>8} {'pages':>6}  × baseline")
    for r in results:
        ratio = ""
        if base and r["mode"] != "idle":
            ratio = f"{r['seconds'] / base['seconds']:.2f}× time, "
            ratio += f"{r['peak_mib'] / base['peak_mib']:.2f}× memory"
        print(
            f"{r['mode']:8} {r['seconds']:9.1f} {r['peak_mib']:9.0f} {r['mb']:8.1f} "
            f"{r['pages']:6d}  {ratio}"
        )


if __name__ == "__main__":
    main()
