"""Benchmark: the homeroom teacher's class review page with 50 applications.

Run from the project folder:

    .venv/bin/python bench/enrollment_review_page.py [--iterations 300] [--sizes 45,90]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x \
        .venv/bin/python bench/enrollment_review_page.py

Creates a throwaway test database (``test_<name>``; SQLite: a temporary
file) with one class per size in ``--sizes`` (default 50 applications): N
students with an application (70% waiting for review, 20% approved by the
teacher, 10% returned; every fifth asking for a fee waiver, every fourth in
a priority group) and a tenth more without one, and logs each class's
homeroom teacher in with Django's test ``Client`` (in-process: the full
middleware stack, no network; DEBUG off, templates not instrumented).

Measured, interleaved so both see the same machine load:

- ``review``: GET ``/enrollment/classes/<pk>/review/`` (django-tables2
  table, django-filter form, the students still without an application);
- ``baseline``: GET of a minimal view on the same stack: same settings and
  middleware, ``login_required`` (so the session and user are loaded, as
  on every real page), rendering a one-line template.

Prints, per page, the median, 10th and 90th percentile of the wall time
and the median and minimum of the process's CPU time (less disturbed by
other work on a shared machine), the review pages' queries, and the ratios
of the medians: each review page to the baseline, and each size to the
first (``--sizes 45,90``: the 90-row page's time ÷ the 45-row page's).
``--profile`` prints a profile of 50 requests of the first size
(pyinstrument if installed, else cProfile).
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "afterschool.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.decorators import login_required  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import include, path  # noqa: E402

from afterschool.idnumbers import id_check_char  # noqa: E402
from afterschool.models import School, SchoolClass, SchoolYear, Student, Term, User  # noqa: E402
from afterschool.rollover.services import memberships_sync  # noqa: E402
from afterschool.services import user_set_role  # noqa: E402

# A filled-in application form (what a guardian types).
FORM = {
    "wants_noon": True,
    "wants_after_school": True,
    "wants_featured_day": False,
    "goes_home_alone": False,
    "pickup_name": "张伟",
    "pickup_relation": "父亲",
    "pickup_mobile": "13900000001",
    "health_notes": "",
    "emergency_name": "王芳",
    "emergency_mobile": "13900000009",
    "reason": "父母下班晚，无人接送。",
    "waiver_requested": False,
    "waiver_reason": "",
}
TINY = engines["django"].from_string("<p>{{ user.name }}</p>")


@login_required
def minimal(request):
    return HttpResponse(TINY.render({"user": request.user}, request))


# The project's URLs plus the baseline view (this module is the URLconf).
urlpatterns = [
    path("bench-minimal/", minimal),
    path("", include("afterschool.urls")),
]


def build(students: int = 55, school_name: str = "基准小学") -> tuple[User, SchoolClass]:
    from enrollment.applications.services import application_submit
    from enrollment.review.services import application_approve_homeroom, application_return

    school = School.objects.create(name=school_name)
    year = SchoolYear.objects.create(school=school, start_year=2024)
    term = Term.objects.create(
        school=school,
        school_year=year,
        name="2024年秋季学期",
        first_day=datetime.date(2024, 9, 2),
        last_day=datetime.date(2025, 1, 17),
    )
    teacher = User.objects.create_user(
        username=f"bench_hr_{students}", school=school, name="李老师"
    )
    user_set_role(user=teacher, role="homeroom")
    school_class = SchoolClass.objects.create(
        school=school, school_year=year, grade=3, number=2, homeroom_teacher=teacher
    )

    applying = students * 10 // 11
    for i in range(students):
        first17 = f"13092520160{students % 100:02d}{i:04d}"
        student = Student.objects.create(
            school=school,
            school_class=school_class,
            student_number=f"G{i:08d}",
            name=f"学生{i:02d}",
            gender="M" if i % 2 else "F",
            birth_date=datetime.date(2016, 5, 1),
            id_number=first17 + id_check_char(first17),
            is_left_behind=i % 4 == 0,
        )
        memberships_sync(students=[student])
        if i >= applying:
            continue
        data = dict(FORM)
        if i % 5 == 0:
            data.update(waiver_requested=True, waiver_reason="家庭困难")
        app = application_submit(student=student, term=term, data=data, by=teacher, on_paper=True)
        if applying * 7 // 10 <= i < applying * 9 // 10:
            application_approve_homeroom(application=app, by=teacher)
        elif i >= applying * 9 // 10:
            application_return(application=app, by=teacher, reason="请补充")
    return teacher, school_class


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument(
        "--sizes",
        default="50",
        help="applications per class, comma-separated (each class has a tenth more students)",
    )
    parser.add_argument(
        "--students", type=int, help="one class of this many students (10 of 11 apply)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="print a profile of 50 review requests of the first size",
    )
    args = parser.parse_args()
    if args.students:
        sizes = [args.students * 10 // 11]
        students = {sizes[0]: args.students}
    else:
        sizes = [int(n) for n in args.sizes.split(",")]
        students = {n: n * 11 // 10 + 1 for n in sizes}

    # No setup_test_environment(): it instruments every template render for
    # the test client's context capture, which would inflate the figures.
    old_name = connection.settings_dict["NAME"]
    tmp = None
    if connection.vendor == "sqlite":
        tmp = tempfile.mkdtemp(prefix="bench-review-")
        connection.settings_dict["TEST"]["NAME"] = str(Path(tmp) / "bench.sqlite3")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    queries: dict[str, int] = {}
    try:
        with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"], DEBUG=False):
            pages: dict[str, tuple[Client, str]] = {}
            for n in sizes:
                teacher, school_class = build(students[n], school_name=f"基准小学{n}")
                client = Client()
                client.force_login(teacher)
                pages[f"review {n}"] = (client, f"/enrollment/classes/{school_class.pk}/review/")
            pages["baseline"] = (client, "/bench-minimal/")
            for name, (client, url) in pages.items():  # warm up: templates, caches
                for _ in range(20):
                    response = client.get(url)
                    assert response.status_code == 200, (url, response.status_code)
                if name != "baseline":
                    assert "以班为单位上报学校" in response.text
                    with CaptureQueriesContext(connection) as captured:
                        client.get(url)
                    queries[name] = len(captured)
            if args.profile:
                profile(*pages[f"review {sizes[0]}"])
            wall: dict[str, list[float]] = {name: [] for name in pages}
            cpu: dict[str, list[float]] = {name: [] for name in pages}
            for _ in range(args.iterations):
                for name, (client, url) in pages.items():
                    start, start_cpu = time.perf_counter(), time.process_time()
                    client.get(url)
                    cpu[name].append(time.process_time() - start_cpu)
                    wall[name].append(time.perf_counter() - start)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    print(
        f"database: {connection.vendor}; {args.iterations} requests each, interleaved; "
        f"load average {' / '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    for name, n in queries.items():
        print(f"{name}: {n} queries")
    medians = {name: statistics.median(t) for name, t in wall.items()}
    for name, t in wall.items():
        print(
            f"{name:11} median {medians[name] * 1000:7.2f} ms  "
            f"p10 {percentile(t, 0.1) * 1000:7.2f}  p90 {percentile(t, 0.9) * 1000:7.2f}  "
            f"CPU median {statistics.median(cpu[name]) * 1000:7.2f}  "
            f"min {min(cpu[name]) * 1000:7.2f} ms"
        )
    first = f"review {sizes[0]}"
    for name in pages:
        if name == "baseline":
            continue
        print(f"ratio {name} / baseline (medians): {medians[name] / medians['baseline']:.1f}×")
        if name != first:
            print(f"ratio {name} / {first} (medians): {medians[name] / medians[first]:.2f}×")


def profile(client: Client, url: str) -> None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(50):
            client.get(url)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        return
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(50):
            client.get(url)
    print(profiler.output_text(unicode=True, show_all=False, timeline=False, flat=True)[:6000])


if __name__ == "__main__":
    main()
