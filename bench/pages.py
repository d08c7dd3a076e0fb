# ruff: noqa: E501  (the set-up code run in child processes is kept as long lines)
"""Benchmark: the product's busiest pages against a bare Django project,
side by side on one machine in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/pages.py
    ... bench/pages.py --seconds 15 --rounds 3 --concurrency 16

Makes two throwaway PostgreSQL databases on that server (``bench_pages_product``,
``bench_pages_baseline``; dropped at the end), fills the product's with two
classes under review (45 and 90 applications), 1,000 guardians with an open
club-choice window (bench/choice_load.py's data), an admin and a homeroom
teacher, and the baseline's (bench/baseline/) with rows, seats and users; logs
everyone in (session rows, as on their phones). Starts both with gunicorn (2
sync workers each, DEBUG off, persistent connections) and then, per page,
alternates baseline and product ``--rounds`` times: ``--concurrency`` client
threads (keep-alive off, as gunicorn's sync workers close connections) for
``--seconds`` after a short warm-up. Prints requests/s, p50/p99 and the
product ÷ baseline ratio per page, with the load average before and after.

Pages (product ↔ baseline):
- class review, 45 / 90 applications ↔ a logged-in 45 / 90-row table, template loop
- club-choice POST (changing 2–3 ranked clubs of one of 1,000 children) ↔ an atomic
  insert with a ``select_for_update`` capacity check
- guardian home, admin home, homeroom teacher home ↔ the logged-in 45-row
  table (the issue's baseline for every page but the insert and the login:
  a page that reads rows and renders them through a template)
- login (the login form, a correct password) ↔ Django's bare ``LoginView``
  (PBKDF2, Django's default hasher)
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SERVER = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
BASE = SERVER.rsplit("/", 1)[0]
PRODUCT_DB = f"{BASE}/bench_pages_product"
BASELINE_DB = f"{BASE}/bench_pages_baseline"
PASSWORD = "bench-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(sql: str) -> None:
    subprocess.run(["psql", SERVER, "-q", "-c", sql], check=True, capture_output=True)


def setup_product() -> dict:
    """Fill the product's database in a child process; returns what the
    clients need (URLs, session keys)."""
    code = r"""
import json, os, sys
sys.path.insert(0, "bench")
import choice_load
from django.core.management import call_command
call_command("migrate", verbosity=0)
import random
from django.test import Client
import enrollment_review_page as erp
from afterschool.models import User, Role
from scheduling.choice.services import club_choices_save
rows, term, admin, students = choice_load.seed_data(random.Random(7))
out = {"guardians": [], "review": {}}
for n in (45, 90):
    teacher, school_class = erp.build(students=n * 11 // 10 + 1, school_name=f"基准审核{n}")
    c = Client(); c.force_login(teacher)
    out["review"][n] = [c.cookies["sessionid"].value, f"/enrollment/classes/{school_class.pk}/review/"]
admin.set_password("bench-password-1"); admin.save()
c = Client(); c.force_login(admin)
out["admin"] = c.cookies["sessionid"].value
for key, sid, picks in rows[:200]:
    out["guardians"].append([key, sid, picks.split(";")])
for user in User.objects.filter(role=Role.GUARDIAN).order_by("-pk")[:50]:
    user.set_password("bench-password-1"); user.save(update_fields=["password"])
out["logins"] = list(User.objects.filter(role=Role.GUARDIAN).order_by("-pk").values_list("username", flat=True)[:50])
out["term"] = term.pk
print("JSON" + json.dumps(out))
"""
    env = dict(os.environ, DATABASE_URL=PRODUCT_DB, DJANGO_SETTINGS_MODULE="afterschool.settings")
    res = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if res.returncode:
        sys.exit(res.stderr[-3000:])
    import json

    return json.loads(res.stdout.split("JSON", 1)[1])


def setup_baseline() -> dict:
    code = r"""
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", run_syncdb=True, verbosity=0)
from django.contrib.auth.models import User
from django.test import Client
from bench.baseline.models import Row, Seat
Row.objects.bulk_create(Row(name=f"学生{i:02d}", status="submitted", note="父母下班晚") for i in range(90))
Seat.objects.bulk_create(Seat(capacity=60) for _ in range(200))
users = [User.objects.create_user(f"u{i}", password="bench-password-1") for i in range(50)]
sessions = []
for u in users:
    c = Client(); c.force_login(u); sessions.append(c.cookies["sessionid"].value)
print("JSON" + json.dumps({"sessions": sessions, "seats": list(Seat.objects.values_list("pk", flat=True))}))
"""
    env = dict(
        os.environ, DATABASE_URL=BASELINE_DB, DJANGO_SETTINGS_MODULE="bench.baseline.settings"
    )
    res = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if res.returncode:
        sys.exit(res.stderr[-3000:])
    import json

    return json.loads(res.stdout.split("JSON", 1)[1])


def start(wsgi: str, db: str, settings: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=db,
        DJANGO_SETTINGS_MODULE=settings,
        DEBUG="false",
        DB_CONN_MAX_AGE="60",
    )
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), wsgi, "--bind", f"127.0.0.1:{port}", "--workers", "2"]
        + ["--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{wsgi} did not start")


def request(port, method, path, cookies=None, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"Host": "127.0.0.1"}
    if cookies:
        h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None:
        h["Content-Type"] = "application/x-www-form-urlencoded"
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, r.getheader("Set-Cookie") or "", data


def run_load(port, make_request, seconds, concurrency, warmup=1.0):
    """``make_request(i)`` -> (method, path, cookies, body, headers, ok_statuses)."""
    latencies: list[float] = []
    errors = [0]
    stop = [time.perf_counter() + warmup + seconds]
    start_at = time.perf_counter() + warmup
    lock = threading.Lock()
    counter = [0]

    def worker():
        while True:
            now = time.perf_counter()
            if now > stop[0]:
                return
            with lock:
                counter[0] += 1
                i = counter[0]
            method, path, cookies, body, headers, ok = make_request(i)
            t0 = time.perf_counter()
            try:
                status, _c, _d = request(port, method, path, cookies, body, headers)
            except OSError:
                status = 0
            t1 = time.perf_counter()
            if t0 >= start_at:
                with lock:
                    latencies.append(t1 - t0)
                    if status not in ok:
                        errors[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    n = len(latencies)
    return {
        "rps": n / seconds,
        "p50": latencies[n // 2] if n else float("nan"),
        "p99": latencies[min(n - 1, int(n * 0.99))] if n else float("nan"),
        "n": n,
        "errors": errors[0],
    }


def csrf_for(port, path, cookies):
    status, set_cookie, data = request(port, "GET", path, cookies)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', data)
    cookie = re.search(r"csrftoken=([^;]+)", set_cookie)
    if not token or not cookie:
        sys.exit(f"no CSRF token on {path} ({status})")
    return token.group(1).decode(), cookie.group(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--pages", default="review45,review90,choice,guardian_home,admin_home,homeroom_home,login"
    )
    args = parser.parse_args()

    for db in ("bench_pages_product", "bench_pages_baseline"):
        psql(f"DROP DATABASE IF EXISTS {db}")
        psql(f"CREATE DATABASE {db}")
    procs = []
    try:
        prod = setup_product()
        base = setup_baseline()
        p_proc, p_port = start("afterschool.wsgi", PRODUCT_DB, "afterschool.settings")
        b_proc, b_port = start("bench.baseline.wsgi", BASELINE_DB, "bench.baseline.settings")
        procs = [p_proc, b_proc]
        load_before = os.getloadavg()

        g = prod["guardians"]
        tokens = {}
        for key, sid, _picks in g[:100]:
            tokens[key] = csrf_for(
                p_port, f"/scheduling/clubs/choose/{sid}/?term={prod['term']}", {"sessionid": key}
            )
        login_csrf = {"p": csrf_for(p_port, "/login/", None)}
        login_csrf["b"] = csrf_for(b_port, "/login/", None)
        bs = base["sessions"]

        def review(n):
            key, path = prod["review"][str(n)]
            return (
                lambda i: ("GET", path, {"sessionid": key}, None, None, {200}),
                lambda i: (
                    "GET",
                    f"/table/{n}/",
                    {"sessionid": bs[i % len(bs)]},
                    None,
                    None,
                    {200},
                ),
            )

        def choice_p(i):
            key, sid, picks = g[i % 100]
            token, cookie = tokens[key]
            chosen = picks if i % 2 else list(reversed(picks))
            body = "&".join(
                [f"csrfmiddlewaretoken={token}"]
                + [f"rank{r + 1}={c}" for r, c in enumerate(chosen)]
            )
            return (
                "POST",
                f"/scheduling/clubs/choose/{sid}/?term={prod['term']}",
                {"sessionid": key, "csrftoken": cookie},
                body,
                None,
                {302},
            )

        def choice_b(i):
            seats = base["seats"]
            return (
                "POST",
                f"/insert/{seats[i % len(seats)]}/",
                {"sessionid": bs[i % len(bs)]},
                "",
                None,
                {302},
            )

        def login_p(i):
            token, cookie = login_csrf["p"]
            user = prod["logins"][i % len(prod["logins"])]
            body = f"csrfmiddlewaretoken={token}&username={user}&password={PASSWORD}"
            return ("POST", "/login/", {"csrftoken": cookie}, body, None, {302})

        def login_b(i):
            token, cookie = login_csrf["b"]
            body = f"csrfmiddlewaretoken={token}&username=u{i % 50}&password={PASSWORD}"
            return ("POST", "/login/", {"csrftoken": cookie}, body, None, {302})

        table45 = review(45)[1]
        pages = {
            "review45": ("class review, 45 applications", *review(45)),
            "review90": ("class review, 90 applications", *review(90)),
            "choice": ("club-choice POST", choice_p, choice_b),
            "guardian_home": (
                "guardian home",
                lambda i: ("GET", "/", {"sessionid": g[i % 100][0]}, None, None, {200}),
                table45,
            ),
            "admin_home": (
                "admin home",
                lambda i: ("GET", "/", {"sessionid": prod["admin"]}, None, None, {200}),
                table45,
            ),
            "homeroom_home": (
                "homeroom teacher home",
                lambda i: (
                    "GET",
                    "/",
                    {"sessionid": prod["review"]["45"][0]},
                    None,
                    None,
                    {200},
                ),
                table45,
            ),
            "login": ("login (correct password)", login_p, login_b),
        }
        results = {}
        for name in args.pages.split(","):
            label, product_req, baseline_req = pages[name]
            runs = {"product": [], "baseline": []}
            for _ in range(args.rounds):
                runs["baseline"].append(
                    run_load(b_port, baseline_req, args.seconds, args.concurrency)
                )
                runs["product"].append(
                    run_load(p_port, product_req, args.seconds, args.concurrency)
                )
            results[name] = (label, runs)
            p = statistics.median(r["rps"] for r in runs["product"])
            b = statistics.median(r["rps"] for r in runs["baseline"])
            print(
                f"{label}: product {p:.1f} req/s, baseline {b:.1f} req/s, ratio {p / b:.2f}× | "
                + " ".join(
                    f"{side} p50 {statistics.median(r['p50'] for r in rs) * 1000:.0f} ms "
                    f"p99 {statistics.median(r['p99'] for r in rs) * 1000:.0f} ms "
                    f"errors {sum(r['errors'] for r in rs)}"
                    for side, rs in runs.items()
                ),
                flush=True,
            )
        load_after = os.getloadavg()
        print(
            f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
            f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}; "
            f"{args.rounds} rounds × {args.seconds:g} s, {args.concurrency} clients, "
            "gunicorn 2 sync workers each"
        )
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
        for db in ("bench_pages_product", "bench_pages_baseline"):
            with contextlib.suppress(subprocess.CalledProcessError):
                psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


if __name__ == "__main__":
    main()
