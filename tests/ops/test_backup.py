"""Backups: deploy/backup.sh dumps PostgreSQL with pg_dump, deploy/restore.sh
restores the dump into a fresh database, and the app reads it back."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from afterschool.models import Guardian, School, SchoolClass, Student, User
from tests import factories as f
from tests.ops.conftest import ROOT, database_url, production_env, run_python

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="backups use pg_dump/pg_restore: run with DATABASE_URL=postgres://… (CI does)",
    ),
    pytest.mark.django_db(transaction=True),  # pg_dump only sees committed rows
]


def run_script(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", *args],
        cwd=ROOT,
        env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def school_data(db):
    """A school with two classes, three students, guardians (one with a login)."""
    school = f.make_school("备份小学")
    f.make_term(school)
    teacher = f.make_user(school, f.Role.HOMEROOM, "hr_backup", name="吴老师")
    class_a = f.make_class(school, 3, 1, teacher)
    class_b = f.make_class(school, 4, 2)
    students = [
        f.make_student(class_a, "张小明"),
        f.make_student(class_a, "王小丽", gender="F"),
        f.make_student(class_b, "赵小刚"),
    ]
    f.make_guardian(students[0], "张伟", "13900000101")
    f.make_guardian(students[1], "王芳", "13900000102", with_login=False)
    return school


@pytest.fixture
def fresh_database():
    """An empty database on the same server, dropped afterwards."""
    name = f"afterschool_restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Runs in a new process with production settings pointed at the restored
# database: the app itself reads the data back.
READ_BACK = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", check=True, verbosity=0)  # every migration is recorded as applied
from afterschool.models import Guardian, School, SchoolClass, Student, User
school = School.objects.get(name="备份小学")
print(json.dumps({
    "counts": [School.objects.count(), SchoolClass.objects.count(), Student.objects.count(),
               Guardian.objects.count(), User.objects.count()],
    "students": sorted(
        [s.name, s.id_number, str(s.school_class)]
        for s in Student.objects.filter(school=school).select_related("school_class")
    ),
    "guardian_password_hash": User.objects.get(username="13900000101").password,
}, ensure_ascii=False))
"""


def expected(school):
    return {
        "counts": [
            School.objects.count(),
            SchoolClass.objects.count(),
            Student.objects.count(),
            Guardian.objects.count(),
            User.objects.count(),
        ],
        "students": sorted(
            [s.name, s.id_number, str(s.school_class)]
            for s in Student.objects.filter(school=school).select_related("school_class")
        ),
        # The test settings hash with MD5, which production does not accept,
        # so the stored hash is compared rather than a login tried.
        "guardian_password_hash": User.objects.get(username="13900000101").password,
    }


class TestBackupAndRestore:
    def test_restored_dump_is_read_by_the_app(self, school_data, fresh_database, tmp_path):
        backup = run_script(
            "deploy/backup.sh",
            DATABASE_URL=database_url(connection.settings_dict["NAME"]),
            BACKUP_DIR=str(tmp_path / "backups"),
        )
        assert backup.returncode == 0, backup.stderr
        dump = tmp_path / "backups" / backup.stdout.strip().rsplit("/", 1)[-1]
        assert dump.name.startswith("afterschool-") and dump.suffix == ".dump"
        assert dump.read_bytes()[:5] == b"PGDMP"  # custom format
        assert dump.stat().st_mode & 0o777 == 0o600  # it holds ID numbers

        target = database_url(fresh_database)
        restore = run_script("deploy/restore.sh", str(dump), target)
        assert restore.returncode == 0, restore.stderr

        result = run_python(READ_BACK, production_env(DATABASE_URL=target))
        assert result.returncode == 0, result.stderr
        read_back = json.loads(result.stdout.strip().splitlines()[-1])
        want = expected(school_data)
        assert read_back == want
        assert want["counts"][2] == 3
        assert ["张小明", Student.objects.get(name="张小明").id_number, "三年级（1）班"] in (
            read_back["students"]
        )

    def test_restore_refuses_a_database_that_has_tables(self, school_data, tmp_path):
        live = database_url(connection.settings_dict["NAME"])
        backup = run_script("deploy/backup.sh", DATABASE_URL=live, BACKUP_DIR=str(tmp_path))
        assert backup.returncode == 0, backup.stderr
        students_before = Student.objects.count()
        restore = run_script("deploy/restore.sh", backup.stdout.strip(), live)
        assert restore.returncode == 1
        assert "restore into a new, empty database" in restore.stderr
        assert Student.objects.count() == students_before

    def test_old_dumps_are_pruned_and_others_kept(self, school_data, tmp_path):
        old = tmp_path / "afterschool-20200101-020000.dump"
        recent = tmp_path / "afterschool-20991231-020000.dump"
        unrelated = tmp_path / "notes.txt"
        for path in (old, recent, unrelated):
            path.write_text("x")
        forty_days_ago = time.time() - 40 * 86400
        os.utime(old, (forty_days_ago, forty_days_ago))
        os.utime(unrelated, (forty_days_ago, forty_days_ago))
        backup = run_script(
            "deploy/backup.sh",
            DATABASE_URL=database_url(connection.settings_dict["NAME"]),
            BACKUP_DIR=str(tmp_path),
            BACKUP_KEEP_DAYS="30",
        )
        assert backup.returncode == 0, backup.stderr
        names = sorted(p.name for p in tmp_path.iterdir())
        assert old.name not in names
        assert recent.name in names
        assert unrelated.name in names
        assert len([n for n in names if n.endswith(".dump")]) == 2  # recent + the new one

    def test_backup_without_database_url_fails_clearly(self, tmp_path):
        result = run_script("deploy/backup.sh", DATABASE_URL="", BACKUP_DIR=str(tmp_path))
        assert result.returncode != 0
        assert "DATABASE_URL must name the database to back up" in result.stderr
        assert list(tmp_path.iterdir()) == []
