"""The load bench (bench/load_site.py) is not run by the test suite; this
checks its set-up code imports and builds what the run needs."""

from __future__ import annotations

import importlib.util
import sys

from tests.ops.conftest import ROOT


def load_module():
    spec = importlib.util.spec_from_file_location("load_site", ROOT / "bench" / "load_site.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


class TestLoadBenchSetUp:
    def test_gunicorn_gets_production_settings_for_plain_http_on_loopback(self):
        bench = load_module()
        env = bench.production_env(
            db_url="postgres://u@db:5432/bench_x", port=8123, workers=3, static_root="/tmp/s"
        )
        assert env["DJANGO_ENV"] == "production"
        assert env["SECURE_SSL_REDIRECT"] == "false"
        assert env["GUNICORN_BIND"] == "127.0.0.1:8123"
        assert env["GUNICORN_WORKERS"] == "3"
        assert len(env["SECRET_KEY"]) >= 50

    def test_throwaway_database_on_the_same_server(self):
        bench = load_module()
        url = bench.database_url("postgres://postgres:pw@127.0.0.1:5432/postgres", "bench_1")
        assert url == "postgres://postgres:pw@127.0.0.1:5432/bench_1"

    def test_plan_mixes_roles_and_uses_each_guardian_once(self):
        bench = load_module()
        people = (
            [bench.Person("guardian", f"139{i:08d}", child=i) for i in range(300)]
            + [bench.Person("homeroom", f"hr_{i}", school_class=i) for i in range(24)]
            + [bench.Person("admin", "admin", survey=1)]
        )
        plan = bench.plan_users(people, 200, admins=6)
        roles = [p.role for p in plan]
        assert len(plan) == 200
        assert (roles.count("guardian"), roles.count("homeroom"), roles.count("admin")) == (
            170,
            24,
            6,
        )
        guardians = [p.username for p in plan if p.role == "guardian"]
        assert len(set(guardians)) == len(guardians)

    def test_percentile_nearest_rank(self):
        bench = load_module()
        values = [float(v) for v in range(1, 101)]
        assert bench.percentile(values, 50) == 50.0
        assert bench.percentile(values, 95) == 95.0
        assert bench.percentile([0.2], 95) == 0.2
