"""Benchmark: 1,000 guardians submit club choices in the first minute of the
selection window (the club choice's speed target in BENCHMARKS.md).

Run from the project folder against PostgreSQL (SQLite cannot take
concurrent writers and is refused):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/choice_load.py

What it does, all on loopback (127.0.0.1):

1. creates a throwaway test database (``test_<name>``) and fills it: one
   school, 24 classes, 1,000 enrolled students each with their own guardian
   login, 20 clubs, a selection window open now; each guardian is already
   logged in (a session row, as on their phone — logging in is not part of
   the rush);
2. starts gunicorn (``--workers``, sync) on a free port with that database;
3. runs locust headless: 1,000 users spawned over ``--spawn-seconds`` (60),
   each opening their child's page (GET) and submitting a ranking of 1–3
   clubs (POST) once; the run lasts ``--run-time`` seconds;
4. checks what the database holds: every submission locust saw accepted
   (302) is stored exactly as sent (same clubs, same order, no duplicate
   rows) — nothing lost, nothing mixed; submissions the server finished after
   locust stopped counting are reported separately;
5. baseline, same run, same database: the same 1,000 submissions made by
   calling ``scheduling.choice.services.club_choices_save`` in-process one after the
   other (the database work without HTTP, templates or concurrency).

Prints p50/p95 latency of each request kind, errors, the counts, and the
ratio of the HTTP POST's p50 to the baseline's p50.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "afterschool.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    load_backend,
)
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

GUARDIANS = 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed_data(rng: random.Random):
    """School, classes, students, guardians with sessions, clubs, an open
    window. Returns (rows for locust, term)."""
    from afterschool.models import (
        Guardian,
        Guardianship,
        Role,
        Room,
        RoomKind,
        School,
        SchoolClass,
        SchoolYear,
        Student,
        Term,
        User,
    )
    from afterschool.rollover.services import memberships_sync
    from enrollment.models import Application, Status
    from scheduling.models import ChoiceWindow, Club, WindowScope

    school = School.objects.create(name="基准小学")
    year = SchoolYear.objects.create(school=school, start_year=2024)
    today = timezone.localdate()
    term = Term.objects.create(
        school=school,
        school_year=year,
        name="基准学期",
        first_day=today - datetime.timedelta(days=10),
        last_day=today + datetime.timedelta(days=100),
    )
    admin = User.objects.create(username="bench_admin", school=school, role=Role.ADMIN)
    classes = [
        SchoolClass.objects.create(school=school, school_year=year, grade=g, number=n)
        for g in range(1, 7)
        for n in range(1, 5)
    ]
    password = make_password("bench-password-1")
    users = User.objects.bulk_create(
        User(
            username=f"139{i:08d}",
            name=f"家长{i}",
            role=Role.GUARDIAN,
            password=password,
            mobile=f"139{i:08d}",
        )
        for i in range(GUARDIANS)
    )
    students = Student.objects.bulk_create(
        Student(
            school=school,
            school_class=classes[i % len(classes)],
            student_number=f"G{i:07d}",
            name=f"学生{i}",
            gender="F" if i % 2 else "M",
        )
        for i in range(GUARDIANS)
    )
    # Each child's class of the year, as a roster import writes it (the
    # choice POST reads the class through it).
    memberships_sync(students=students)
    guardians = Guardian.objects.bulk_create(
        Guardian(school=school, name=u.name, mobile=u.mobile, user=u) for u in users
    )
    Guardianship.objects.bulk_create(
        Guardianship(student=s, guardian=g, relation="母亲")
        for s, g in zip(students, guardians, strict=True)
    )
    Application.objects.bulk_create(
        Application(
            student=s,
            term=term,
            status=Status.APPROVED,
            wants_featured_day=True,
            goes_home_alone=True,
            reason="基准",
            created_by=admin,
        )
        for s in students
    )
    clubs = []
    for k in range(20):
        room = Room.objects.create(school=school, name=f"场地{k}", kind=RoomKind.GYM, capacity=200)
        teacher = User.objects.create(username=f"bench_t{k}", school=school, role=Role.TEACHER)
        lo = 1 if k < 10 else 3
        clubs.append(
            Club.objects.create(
                school=school,
                term=term,
                name=f"社团{k}",
                category="other",
                min_grade=lo,
                max_grade=6,
                capacity=60,
                teacher=teacher,
                room=room,
                weekday=3,
                period="after",
            )
        )
    now = timezone.now()
    ChoiceWindow.objects.create(
        term=term,
        scope=WindowScope.SCHOOL,
        opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + datetime.timedelta(hours=2),
    )
    # The backend that loads users from a session (the first one only
    # throttles logins).
    backend = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
    rows = []
    for user, student in zip(users, students, strict=True):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        grade = student.school_class.grade
        eligible = [c.pk for c in clubs if c.min_grade <= grade <= c.max_grade]
        picks = rng.sample(eligible, rng.choice((1, 2, 3, 3)))
        rows.append((session.session_key, student.pk, ";".join(map(str, picks))))
    return rows, term, admin, students


def read_stats(prefix: Path) -> dict[str, dict[str, str]]:
    with open(f"{prefix}_stats.csv", newline="") as fh:
        return {row["Name"]: row for row in csv.DictReader(fh)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--spawn-seconds", type=int, default=60)
    parser.add_argument("--run-time", type=int, default=120)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("choice_load needs PostgreSQL: set DATABASE_URL=postgres://…")

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    test_name = connection.settings_dict["NAME"]
    tmp = Path(tempfile.mkdtemp(prefix="bench-choice-"))
    server = None
    try:
        from scheduling.choice.services import club_choices_save
        from scheduling.models import ClubChoice

        rng = random.Random(2024)
        t0 = time.perf_counter()
        rows, term, admin, students = seed_data(rng)
        print(f"seeded {len(rows)} guardians in {time.perf_counter() - t0:.1f} s")
        rows_file = tmp / "rows.csv"
        with open(rows_file, "w", newline="") as fh:
            csv.writer(fh).writerows(rows)

        db = connection.settings_dict
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{test_name}"
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "0",
            "DB_CONN_MAX_AGE": "60",
            "LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "afterschool.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        host = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(host + "/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        spawn_rate = GUARDIANS / args.spawn_seconds
        subprocess.run(
            [
                str(ROOT / ".venv/bin/locust"),
                "-f",
                str(ROOT / "bench/choice_load_locustfile.py"),
                "--headless",
                "--users",
                str(GUARDIANS),
                "--spawn-rate",
                f"{spawn_rate:.3f}",
                "--run-time",
                f"{args.run_time}s",
                "--host",
                host,
                "--csv",
                str(tmp / "locust"),
                "--only-summary",
                "--stop-timeout",
                "60",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "CHOICE_LOAD_ROWS": str(rows_file),
                "CHOICE_LOAD_ACCEPTED": str(tmp / "accepted.txt"),
            },
            check=False,
        )
        stats = read_stats(tmp / "locust")
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        server = None

        accepted = {int(x) for x in (tmp / "accepted.txt").read_text().split()}
        sent = {int(r[1]): [int(c) for c in r[2].split(";")] for r in rows}
        stored: dict[int, list[int]] = {}
        for student_id, club_id in (
            ClubChoice.objects.filter(term=term)
            .order_by("student_id", "rank")
            .values_list("student_id", "club_id")
        ):
            stored.setdefault(student_id, []).append(club_id)
        lost = [s for s in accepted if stored.get(s) != sent[s]]
        mixed = [s for s in stored if stored[s] != sent[s]]
        late = len(set(stored) - accepted)
        choice_rows = sum(len(v) for v in stored.values())

        # Baseline: the same submissions through the service, one by one.
        by_pk = {s.pk: s for s in students}
        for s in students:
            s.school_class  # noqa: B018 - joined before timing
        timings = []
        for _key, student_id, clubs in rows:
            ids = [int(c) for c in clubs.split(";")]
            start = time.perf_counter()
            club_choices_save(student=by_pk[student_id], term=term, club_ids=ids, by=admin)
            timings.append(time.perf_counter() - start)
        base_p50 = statistics.median(timings)
        base_p95 = statistics.quantiles(timings, n=20)[18]
    finally:
        if server is not None:
            server.kill()
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(
        f"PostgreSQL, gunicorn {args.workers} sync workers, locust {GUARDIANS} users spawned "
        f"over {args.spawn_seconds} s, run {args.run_time} s, all on 127.0.0.1"
    )
    print(
        f"baseline club_choices_save in-process: p50 {base_p50 * 1000:.1f} ms (1.0×), "
        f"p95 {base_p95 * 1000:.1f} ms"
    )
    for name in ("GET choose page", "POST choices"):
        row = stats[name]
        p50, p95 = float(row["50%"]), float(row["95%"])
        print(
            f"{name}: {row['Request Count']} requests, {row['Failure Count']} errors, "
            f"p50 {p50:.0f} ms ({p50 / 1000 / base_p50:.1f}× baseline), p95 {p95:.0f} ms"
        )
    print(
        f"POSTs accepted {len(accepted)}; stored exactly as sent: "
        f"{len(accepted) - len(lost)}; lost {len(lost)}; stored but not as sent {len(mixed)}; "
        f"finished after locust stopped counting {late}; choice rows {choice_rows}"
    )
    print("nothing lost" if not lost and not mixed else "MISMATCH")


if __name__ == "__main__":
    main()
