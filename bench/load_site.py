"""Load test: 200 concurrent users browsing and submitting against gunicorn +
PostgreSQL with the production settings (the load target in BENCHMARKS.md).

Run from the project folder (PostgreSQL must be reachable; DATABASE_URL names
the server and a user allowed to create databases, its database part is
ignored):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/load_site.py

What it does:

1. creates a throwaway database ``bench_load_<pid>`` on that server, migrates
   it, loads the demo school (``load_demo``: 24 classes, ~1,080 students),
   opens the term's survey and gives ``--guardians`` guardians a password;
2. collects the static files and starts gunicorn with ``deploy/gunicorn.conf.py``
   and ``DJANGO_ENV=production`` (HTTPS redirect off for plain HTTP on
   loopback; every request says ``X-Forwarded-Proto: https`` as nginx would,
   so the secure cookies and CSRF origin checks are the real ones);
3. baseline: one user of each role requests each page a few times with
   nobody else on the server;
4. logs every virtual user in through the login form, as many at a time as
   there are gunicorn workers (right passwords, so django-axes never locks
   anyone; a 429 would be counted), timed on its own;
5. load: ``--users`` threads for ``--duration`` seconds, each a person
   reading a page and clicking on after ``--think`` seconds (default 1–3):
   guardians open their home page, family page, survey form and
   application form and submit a survey answer and an application draft;
   homeroom teachers open their class's review and survey pages; admins
   open the student list (pages 1 and 5) and the survey figures;
6. checks every accepted write (a redirect after POST) is in the database
   with the value last sent, counts 5xx and other failures, and prints p50 /
   p95 per page with the ratio to that page's baseline p50;
7. stops gunicorn and drops the database (``--keep-db`` keeps it).

Only standard-library HTTP (http.client) is used: one keep-alive connection
per virtual user, cookies handled by hand (``__Host-`` cookies are Secure and
the connection is plain HTTP on loopback).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# ------------------------------------------------------------------ set-up


def database_url(server_url: str, name: str) -> str:
    """``server_url`` with its database part replaced by ``name``."""
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def production_env(*, db_url: str, port: int, workers: int, static_root: str) -> dict[str, str]:
    """The gunicorn process's environment: production settings, plain HTTP on
    loopback (SECURE_SSL_REDIRECT off; the client sends X-Forwarded-Proto)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="afterschool.settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=db_url,
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=static_root,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS=str(workers),
        LOG_LEVEL="WARNING",
        GUNICORN_LOG_LEVEL="warning",
    )
    return env


@dataclass
class Person:
    """A login the load uses, with the ids its pages need."""

    role: str  # guardian / homeroom / admin
    username: str
    child: int | None = None
    school_class: int | None = None
    survey: int | None = None


def prepare_database(*, server_url: str, name: str, guardians: int) -> tuple[str, list[Person]]:
    """Create and fill the throwaway database; returns its URL and the logins."""
    import psycopg2

    admin = psycopg2.connect(server_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    db_url = database_url(server_url, name)
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "afterschool.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from afterschool.models import Guardian, Role, SchoolClass, User
    from afterschool.selectors import current_term
    from demo.base import DEMO_PASSWORD, demo_password_hash
    from demo.load import load_demo
    from enrollment.surveys.services import survey_open

    demo = load_demo()
    term = current_term(school=demo.school)
    admin_user = User.objects.get(username="admin")
    survey = survey_open(term=term, by=admin_user)
    people: list[Person] = []
    chosen = list(
        Guardian.objects.filter(school=demo.school, user__isnull=False)
        .order_by("pk")
        .prefetch_related("students")[:guardians]
    )
    User.objects.filter(pk__in=[g.user_id for g in chosen]).update(password=demo_password_hash())
    for g in chosen:
        child = min(s.pk for s in g.students.all())
        people.append(Person("guardian", g.mobile, child=child))
    for cls in SchoolClass.objects.filter(school=demo.school).select_related("homeroom_teacher"):
        if cls.homeroom_teacher and cls.homeroom_teacher.role == Role.HOMEROOM:
            people.append(Person("homeroom", cls.homeroom_teacher.username, school_class=cls.pk))
    people.append(Person("admin", "admin", survey=survey.pk))
    assert DEMO_PASSWORD
    return db_url, people


def collectstatic(env: dict[str, str]) -> None:
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    out = log.open("wb")
    proc = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"gunicorn did not answer /healthz; see {log}")


# ------------------------------------------------------------------ client


@dataclass
class Stats:
    """Latencies (seconds) and status codes per page label, thread-safe."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    codes: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    errors: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, label: str, seconds: float, status: int) -> None:
        with self.lock:
            self.times[label].append(seconds)
            self.codes[label][status] += 1

    def error(self, label: str, exc: Exception) -> None:
        with self.lock:
            self.errors[f"{label}: {type(exc).__name__}"] += 1


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (0–100) by the nearest-rank method."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, round(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


class Browser:
    """One person's browser: a keep-alive connection, its cookies, the
    production headers nginx would add."""

    def __init__(self, port: int, stats: Stats):
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.origin = f"https://{self.host}"
        self.stats = stats
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, label: str, method: str, path: str, form: dict | None = None):
        headers = {"Host": self.host, "X-Forwarded-Proto": "https", "Accept-Language": "zh-hans"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.stats.error(label, exc)
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            return None, b""
        self.stats.add(label, time.perf_counter() - start, response.status)
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value and "Max-Age=0" not in cookie:
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        return response, data

    def token_of(self, page: bytes) -> str:
        match = TOKEN.search(page.decode(errors="replace"))
        return match.group(1) if match else ""

    def login(self, username: str, password: str) -> bool:
        _, page = self.request("login page", "GET", "/login/")
        response, _ = self.request(
            "login (POST)",
            "POST",
            "/login/",
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.token_of(page),
            },
        )
        return response is not None and response.status == 302


@dataclass
class Writes:
    """Writes the server accepted (a redirect after POST), the last value per child."""

    survey: dict[int, str] = field(default_factory=dict)
    draft: dict[int, str] = field(default_factory=dict)
    sent: int = 0
    accepted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def guardian_round(b: Browser, person: Person, n: int, writes: Writes, think) -> None:
    child = person.child
    b.request("guardian: home", "GET", "/")
    think()
    b.request("guardian: family page", "GET", "/enrollment/")
    think()
    path = f"/enrollment/survey/{child}/"
    _, page = b.request("guardian: survey form", "GET", path)
    think()
    answer = "join" if n % 2 == 0 else "undecided"
    form = {"answer": answer, "wants_after_school": "on", "csrfmiddlewaretoken": b.token_of(page)}
    response, _ = b.request("guardian: survey answer (POST)", "POST", path, form)
    with writes.lock:
        writes.sent += 1
        if response is not None and response.status == 302:
            writes.accepted += 1
            writes.survey[child] = answer
    think()
    path = f"/enrollment/apply/{child}/"
    _, page = b.request("guardian: application form", "GET", path)
    think()
    marker = f"load {person.username} #{n}"
    form = {
        "action": "save",
        "wants_after_school": "on",
        "health_notes": marker,
        "csrfmiddlewaretoken": b.token_of(page),
    }
    response, _ = b.request("guardian: application draft (POST)", "POST", path, form)
    with writes.lock:
        writes.sent += 1
        if response is not None and response.status == 302:
            writes.accepted += 1
            writes.draft[child] = marker
    think()


def homeroom_round(b: Browser, person: Person, n: int, writes: Writes, think) -> None:
    b.request("homeroom: class review", "GET", f"/enrollment/classes/{person.school_class}/review/")
    think()
    b.request("homeroom: class survey", "GET", f"/enrollment/classes/{person.school_class}/survey/")
    think()


def admin_round(b: Browser, person: Person, n: int, writes: Writes, think) -> None:
    b.request("admin: student list", "GET", "/people/students/")
    think()
    b.request("admin: student list page 5", "GET", "/people/students/?page=5")
    think()
    b.request("admin: survey figures", "GET", f"/enrollment/surveys/{person.survey}/")
    think()


ROUNDS = {"guardian": guardian_round, "homeroom": homeroom_round, "admin": admin_round}


def plan_users(people: list[Person], users: int, admins: int) -> list[Person]:
    """``users`` virtual users: every homeroom teacher once, ``admins``
    sessions of the admin, and guardians for the rest, each guardian once (it
    writes only its own child's rows, so the last accepted value per child
    is well defined)."""
    homerooms = [p for p in people if p.role == "homeroom"]
    admin = [p for p in people if p.role == "admin"][:1] * admins
    guardians = [p for p in people if p.role == "guardian"]
    return guardians[: max(0, users - len(homerooms) - len(admin))] + homerooms + admin


# ------------------------------------------------------------------ run


def run_load(port, plan, password, duration, login_deadline, at_once, pause=(1.0, 3.0), seed=1):
    """Log everyone in, ``at_once`` logins at a time, then run each person's
    rounds for ``duration`` seconds.

    A login checks the password with PBKDF2 (1.5 million rounds, about a
    second of CPU), so 200 logins in the same second would queue for minutes
    on a small server; people arrive over the morning and stay logged in
    (sessions last two weeks), so the logins come first, as many at a time
    as there are gunicorn workers, and are timed on their own."""
    stats, writes = Stats(), Writes()
    browsers: list[Browser | None] = [None] * len(plan)
    failed_logins = Counter()
    gate = threading.Semaphore(at_once)
    start = time.monotonic()

    def log_in(i: int) -> None:
        with gate:
            if time.monotonic() - start > login_deadline:
                failed_logins[plan[i].role] += 1
                return
            b = Browser(port, stats)
            if b.login(plan[i].username, password):
                browsers[i] = b
            else:
                failed_logins[plan[i].role] += 1

    threads = [threading.Thread(target=log_in, args=(i,)) for i in range(len(plan))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    login_seconds = time.monotonic() - start

    stop_at = time.monotonic() + duration
    rounds = Counter()

    def browse(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        person, b = plan[i], browsers[i]

        def think() -> None:
            time.sleep(rng.uniform(*pause))

        time.sleep(rng.uniform(0, pause[1]))
        n = 0
        try:
            while time.monotonic() < stop_at:
                ROUNDS[person.role](b, person, n, writes, think)
                n += 1
        except Exception as exc:  # a bug in the bench must not pass as a quiet run
            stats.error(f"{person.role} round", exc)
            raise
        finally:
            rounds[person.role] += n

    load_stats_before = {k: len(v) for k, v in stats.times.items()}
    workers = [threading.Thread(target=browse, args=(i,)) for i in range(len(plan)) if browsers[i]]
    load_start = time.monotonic()
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    load_seconds = time.monotonic() - load_start
    return stats, writes, failed_logins, login_seconds, load_seconds, load_stats_before, rounds


def baseline(port, people, password, repeat=5) -> dict[str, float]:
    """p50 of each page with one user of each role and nobody else."""
    stats = Stats()
    writes = Writes()
    seen = set()
    for person in people:
        if person.role in seen:
            continue
        seen.add(person.role)
        b = Browser(port, stats)
        assert b.login(person.username, password), person
        for n in range(repeat):
            ROUNDS[person.role](b, person, 10_000 + n, writes, lambda: None)
    b = Browser(port, stats)
    for _ in range(repeat * 4):
        b.request("health check", "GET", "/healthz")
    return {label: statistics.median(times) for label, times in stats.times.items()}


def check_writes(writes: Writes) -> tuple[int, int, list[str]]:
    """Compare the accepted writes with the database: (checked, lost, examples)."""
    from enrollment.models import Application, SurveyResponse

    lost = []
    answers = dict(
        SurveyResponse.objects.filter(student_id__in=writes.survey).values_list(
            "student_id", "answer"
        )
    )
    for child, answer in writes.survey.items():
        if answers.get(child) != answer:
            lost.append(f"survey of student {child}: sent {answer}, stored {answers.get(child)}")
    notes = dict(
        Application.objects.filter(student_id__in=writes.draft).values_list(
            "student_id", "health_notes"
        )
    )
    for child, marker in writes.draft.items():
        if notes.get(child) != marker:
            lost.append(f"draft of student {child}: sent {marker!r}, stored {notes.get(child)!r}")
    return len(writes.survey) + len(writes.draft), len(lost), lost[:5]


def report(stats, base, before, load_seconds) -> list[str]:
    lines = [
        "| page | requests | p50 | p95 | max | p50 ×baseline | p95 ×baseline | non-2xx/3xx |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label in sorted(stats.times):
        times = stats.times[label][before.get(label, 0) :]
        if not times:
            continue
        codes = stats.codes[label]
        bad = {c: n for c, n in codes.items() if c >= 400}
        b = base.get(label)
        p50, p95 = percentile(times, 50), percentile(times, 95)
        lines.append(
            f"| {label} | {len(times)} | {p50 * 1000:.0f} ms | {p95 * 1000:.0f} ms | "
            f"{max(times) * 1000:.0f} ms | "
            f"{p50 / b:.1f} | {p95 / b:.1f} | {bad or '—'} |"
            if b
            else f"| {label} | {len(times)} | {p50 * 1000:.0f} ms | {p95 * 1000:.0f} ms | "
            f"{max(times) * 1000:.0f} ms | — | — | {bad or '—'} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--guardians", type=int, default=170, help="guardians given a password")
    parser.add_argument("--admins", type=int, default=6, help="admin sessions among the users")
    parser.add_argument("--duration", type=int, default=75, help="seconds of load")
    parser.add_argument("--login-deadline", type=int, default=900)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (0: its default)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--think", default="1,3", help="seconds a person reads a page before the next, min,max"
    )
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args(argv)

    server_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not server_url.startswith("postgres"):
        parser.error("DATABASE_URL must point at a PostgreSQL server")
    name = f"bench_load_{os.getpid()}"
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    log = Path(tempfile.gettempdir()) / f"{name}-gunicorn.log"
    cores = len(os.sched_getaffinity(0))
    workers = args.workers or cores * 2 + 1
    print(f"database {name}; gunicorn {workers} workers on {cores} cores; log {log}")
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    t0 = time.monotonic()
    db_url, people = prepare_database(server_url=server_url, name=name, guardians=args.guardians)
    from demo.base import DEMO_PASSWORD

    print(f"set-up (migrate, load_demo, survey, passwords): {time.monotonic() - t0:.1f} s")
    env = production_env(db_url=db_url, port=args.port, workers=workers, static_root=static_root)
    proc = None
    try:
        collectstatic(env)
        proc = start_gunicorn(env, args.port, log)
        base = baseline(args.port, people, DEMO_PASSWORD)
        plan = plan_users(people, args.users, args.admins)
        roles = Counter(p.role for p in plan)
        print(f"{len(plan)} virtual users: {dict(roles)}; think {args.think} s; logging in …")
        stats, writes, failed, login_s, load_s, before, rounds = run_load(
            args.port,
            plan,
            DEMO_PASSWORD,
            args.duration,
            args.login_deadline,
            workers,
            pause=tuple(float(x) for x in args.think.split(",")),
        )
        logins = stats.times["login (POST)"]  # all from the login phase
        print(
            f"logins ({workers} at a time): {len(plan) - sum(failed.values())} in "
            f"{login_s:.1f} s = {len(plan) / login_s:.1f}/s, failed {dict(failed) or 0}; "
            f"p50 {percentile(logins, 50):.2f} s, p95 {percentile(logins, 95):.2f} s"
        )
        checked, lost, examples = check_writes(writes)
        total = sum(len(v[before.get(k, 0) :]) for k, v in stats.times.items())
        five = sum(n for c in stats.codes.values() for s, n in c.items() if s >= 500)
        locked = sum(c.get(429, 0) for c in stats.codes.values())
        print(f"load: {load_s:.1f} s, {total} requests, {total / load_s:.1f} requests/s")
        print(f"rounds per role: {dict(rounds)}")
        print(
            f"5xx responses: {five}; 429 (lockout): {locked}; connection errors: "
            f"{dict(stats.errors) or 0}"
        )
        print(
            f"writes: {writes.sent} sent, {writes.accepted} accepted; last value of "
            f"{checked} rows checked in the database, {lost} lost {examples or ''}"
        )
        print(
            "baseline (one user, nobody else), p50: "
            + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in sorted(base.items()))
        )
        print("\n".join(report(stats, base, before, load_s)))
        return 1 if five or lost or locked or stats.errors or not total else 0
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)
        shutil.rmtree(static_root, ignore_errors=True)
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            import psycopg2

            admin = psycopg2.connect(server_url)
            admin.autocommit = True
            with admin.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()


if __name__ == "__main__":
    sys.exit(main())
