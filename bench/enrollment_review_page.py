"""Benchmark: the homeroom teacher's class review page with 50 applications.

Run from the project folder:

    .venv/bin/python bench/enrollment_review_page.py [--iterations 300]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x \
        .venv/bin/python bench/enrollment_review_page.py

Creates a throwaway test database (``test_<name>``; SQLite: a temporary
file) with one class of 50 students, each with an application (35 waiting
for review, 10 approved by the teacher, 5 returned; every fifth asking for
a fee waiver, every fourth in a priority group) and 5 more students without
one, and logs the class's homeroom teacher in with Django's test ``Client``
(in-process: the full middleware stack, no network; DEBUG off, templates
not instrumented).

Measured, interleaved so both see the same machine load:

- ``review``: GET ``/enrollment/classes/<pk>/review/`` (django-tables2
  table, django-filter form, the students still without an application);
- ``baseline``: GET of a minimal view on the same stack: same settings and
  middleware, ``login_required`` (so the session and user are loaded, as
  on every real page), rendering a one-line template.

Prints the median, 10th and 90th percentile server time of each, the
review page's queries, and the ratio of the medians.
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


def build() -> tuple[User, SchoolClass]:
    from enrollment.applications.services import application_submit
    from enrollment.review.services import application_approve_homeroom, application_return

    school = School.objects.create(name="基准小学")
    year = SchoolYear.objects.create(school=school, start_year=2024)
    Term.objects.create(
        school=school,
        school_year=year,
        name="2024年秋季学期",
        first_day=datetime.date(2024, 9, 2),
        last_day=datetime.date(2025, 1, 17),
    )
    teacher = User.objects.create_user(username="bench_hr", school=school, name="李老师")
    user_set_role(user=teacher, role="homeroom")
    school_class = SchoolClass.objects.create(
        school=school, school_year=year, grade=3, number=2, homeroom_teacher=teacher
    )
    term = Term.objects.get()
    for i in range(55):
        first17 = f"1309252016050{i:04d}"
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
        if i >= 50:
            continue
        data = dict(FORM)
        if i % 5 == 0:
            data.update(waiver_requested=True, waiver_reason="家庭困难")
        app = application_submit(student=student, term=term, data=data, by=teacher, on_paper=True)
        if 35 <= i < 45:
            application_approve_homeroom(application=app, by=teacher)
        elif i >= 45:
            application_return(application=app, by=teacher, reason="请补充")
    return teacher, school_class


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300)
    args = parser.parse_args()

    # No setup_test_environment(): it instruments every template render for
    # the test client's context capture, which would inflate the figures.
    old_name = connection.settings_dict["NAME"]
    tmp = None
    if connection.vendor == "sqlite":
        tmp = tempfile.mkdtemp(prefix="bench-review-")
        connection.settings_dict["TEST"]["NAME"] = str(Path(tmp) / "bench.sqlite3")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"], DEBUG=False):
            teacher, school_class = build()
            client = Client()
            client.force_login(teacher)
            review_url = f"/enrollment/classes/{school_class.pk}/review/"
            urls = {"review": review_url, "baseline": "/bench-minimal/"}
            for url in urls.values():  # warm up: templates compiled, caches filled
                for _ in range(20):
                    response = client.get(url)
                    assert response.status_code == 200, (url, response.status_code)
            page = client.get(review_url).text
            assert page.count("学生") >= 50 and "以班为单位上报学校" in page
            with CaptureQueriesContext(connection) as captured:
                client.get(review_url)
            queries = len(captured)
            times: dict[str, list[float]] = {name: [] for name in urls}
            for _ in range(args.iterations):
                for name, url in urls.items():
                    start = time.perf_counter()
                    client.get(url)
                    times[name].append(time.perf_counter() - start)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    print(f"database: {connection.vendor}; {args.iterations} requests each, interleaved")
    print(f"review page: 50 applications, {queries} queries")
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, t in times.items():
        print(
            f"{name:9} median {medians[name] * 1000:7.2f} ms  "
            f"p10 {percentile(t, 0.1) * 1000:7.2f} ms  p90 {percentile(t, 0.9) * 1000:7.2f} ms"
        )
    print(f"ratio review / baseline (medians): {medians['review'] / medians['baseline']:.1f}×")


if __name__ == "__main__":
    main()
