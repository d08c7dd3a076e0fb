"""Helpers for tests that start the app in another process with production settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable


def production_env(**overrides: str | None) -> dict[str, str]:
    """The process environment for DJANGO_ENV=production with every secret set;
    an override of None removes that variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="afterschool.settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="kehou.example.edu.cn,127.0.0.1",
        CSRF_TRUSTED_ORIGINS="https://kehou.example.edu.cn",
        DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'db.sqlite3'}",
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_python(code: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def run_manage(*args: str, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def database_url(name: str) -> str:
    """A postgresql:// URL for database ``name`` on the test database's server."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def samples(world):
    return build_samples(world)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """``(world, samples)`` built once for a module that only reads them (the
    URL and CSRF matrices: ~600 tests, each refused or a page read), inside a
    transaction rolled back at the module's end; each test still runs in its
    own savepoint (``db``), so what one test writes the next never sees."""
    from django.db import transaction

    from tests.conftest import make_world

    with django_db_blocker.unblock(), transaction.atomic():
        world = make_world()
        yield world, build_samples(world)
        transaction.set_rollback(True)


def shared_world_fixtures():
    """``world`` and ``samples`` fixtures read from the module's
    ``shared_world``: a module binds them with
    ``world, samples = shared_world_fixtures()`` to build its world once."""

    @pytest.fixture
    def world(shared_world, db):
        return shared_world[0]

    @pytest.fixture
    def samples(shared_world, db):
        return shared_world[1]

    return world, samples


def build_samples(world):
    """One object of every kind a URL can name, all of school A / class A /
    child X (``world``), each in a state where its owner can open its pages:
    the autumn-2024 term with sessions, a rota and a club; the survey open;
    child X's application approved by the school, with a fee waiver asked and
    the agreement signed; a roster upload waiting for confirmation; a
    suspended day; a staff member's unavailability; child X's leave request
    (waiting), dismissal on 3 Sep, club choice and allocation in an open
    choice window; its September fee statement; a finished agreement print
    job of class A. ``grade`` is class A's grade (a number, not a row).

    Keys are what tests/ops/urlwalk.py's URL_SAMPLES / KWARG_SAMPLES name."""
    import datetime
    import io

    from django.utils import timezone
    from pypdf import PdfWriter

    from afterschool.models import Role, RoomKind, RosterUpload
    from billing.models import FeeSheetJob, FeeSheetJobStatus, FeeStatement, RefundBatch
    from billing.publicity.services import fee_publication_publish
    from billing.statements.services import statements_generate
    from enrollment.agreements.services import agreement_sign
    from enrollment.models import ApplicationEvent, PrintJob, PrintJobStatus, Status
    from enrollment.printing.services import print_job_request
    from enrollment.surveys.services import survey_open
    from scheduling.attendance import services as attendance
    from scheduling.choice import services as choice
    from scheduling.clubs import services as clubs
    from scheduling.models import (
        Allocation,
        ClubChoice,
        LeaveKind,
        ServiceChange,
        Session,
        WindowScope,
    )
    from scheduling.rota import services as rota
    from tests import factories as f
    from tests.afterschool.rosterfiles import csv_bytes, student
    from tests.enrollment.conftest import drive

    term = f.make_term(world.school, 2024)
    room = f.make_room(world.school, "三（1）教室", RoomKind.CLASSROOM, 50)
    world.class_a.room = room
    world.class_a.save(update_fields=["room"])
    world.class_b.room = f.make_room(world.school, "三（2）教室", RoomKind.CLASSROOM, 50)
    world.class_b.save(update_fields=["room"])
    music = f.make_room(world.school, "音乐室", RoomKind.MUSIC, 40)
    club = clubs.club_save(
        term=term,
        name="合唱团",
        category="music",
        min_grade=3,
        max_grade=6,
        capacity=30,
        # Its own teacher: the `teacher` persona must stay outside class A.
        teacher=f.make_user(world.school, Role.TEACHER, "club_teacher", name="合唱老师"),
        room=music,
    )
    survey = survey_open(term=term, by=world.admin)
    app = drive(
        world.child_x,
        term,
        Status.APPROVED,
        homeroom=world.homeroom_a,
        admin=world.admin,
        waiver_requested=True,
        waiver_reason="低保户",
        wants_featured_day=True,
    )
    agreement_sign(
        application=app, by=world.guardian_x.user, signed_name="张伟", consent=True, ip=None
    )
    # Sessions are made only for classes with enrolled children: after the approval.
    rota.sessions_generate(term=term)
    rota.rota_generate(term=term)
    upload = RosterUpload.objects.create(
        school=world.school,
        uploaded_by=world.admin,
        filename="名册.csv",
        content=csv_bytes([student(1), student(2)]),
        start_year=2024,
    )
    change = ServiceChange.objects.create(
        school=world.school, date=datetime.date(2024, 9, 10), kind="suspended", notice="停电"
    )
    unavailability = rota.unavailability_add(person=world.teacher, weekday=0, reason="带孩子")
    # Each class's sessions supervised by its own homeroom teacher, so
    # nobody else of the school takes class A's roll or dismissal.
    for cls in (world.class_a, world.class_b):
        Session.objects.filter(term=term, school_class=cls).update(supervisor=cls.homeroom_teacher)
    tuesday, monday = datetime.date(2024, 9, 3), datetime.date(2024, 9, 2)
    leave = attendance.leave_request(
        student=world.child_x,
        term=term,
        kind=LeaveKind.DAYS,
        first_day=datetime.date(2024, 9, 4),
        last_day=datetime.date(2024, 9, 4),
        reason="看牙",
        by=world.guardian_x.user,
        today=monday,
    )
    dismissal = attendance.dismissal_record(
        student=world.child_x, term=term, date=tuesday, by=world.homeroom_a, today=tuesday
    )
    window = choice.choice_window_save(
        term=term,
        scope=WindowScope.SCHOOL,
        opens_at=timezone.now() - datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=7),
        by=world.admin,
    )
    ClubChoice.objects.create(
        student=world.child_x, term=term, club=club, club_name=club.name, rank=1
    )
    run = choice.allocation_run(term=term, seed=1, by=world.admin)
    # Approved before the term began, so September is billed.
    ApplicationEvent.objects.filter(application=app, to_status=Status.APPROVED).update(
        at=timezone.make_aware(datetime.datetime(2024, 8, 30, 9))
    )
    fee_publication_publish(term=term, by=world.admin)
    statements_generate(term=term, month=datetime.date(2024, 9, 1))
    # A finished agreement print job of class A. Rendering the real PDF is the
    # print tests' business (tests/enrollment); a one-page stand-in keeps
    # this fixture fast.
    job = print_job_request(by=world.admin, term=term, school_class=world.class_a)
    blank = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(blank)
    PrintJob.objects.filter(pk=job.pk).update(
        status=PrintJobStatus.DONE,
        pdf=blank.getvalue(),
        size=len(blank.getvalue()),
        pages=1,
        done=job.total,
        finished_at=timezone.now(),
    )
    from afterschool.notices.services import announcement_publish

    announcement = announcement_publish(
        school=world.school,
        by=world.admin,
        title="家长会",
        body="周五下午家长会。",
        audience="class",
        school_class=world.class_a,
    )
    from PIL import Image

    from scheduling.pickup.services import pickup_person_add

    png = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(png, "PNG")
    pickup = pickup_person_add(
        student=world.child_x,
        by=world.guardian_x.user,
        name="张奶奶",
        relation="祖母",
        mobile="13700000001",
        photo=png.getvalue(),
    )
    # The county that owns school A, its supervisor, and another county's
    # supervisor (a wrong persona for every URL: the county pages say 404,
    # the school's pages 403/404).
    from afterschool.models import County

    county = County.objects.create(name="XX县教体局")
    world.school.supervising_county = county
    world.school.save(update_fields=["supervising_county"])
    other_county = County.objects.create(name="YY县教体局")
    world.other_school.supervising_county = other_county
    world.other_school.save(update_fields=["supervising_county"])
    supervisor = f.make_user(None, Role.SUPERVISOR, "supervisor_a", name="督导甲", county=county)
    other_supervisor = f.make_user(
        None, Role.SUPERVISOR, "supervisor_b", name="督导乙", county=other_county
    )
    # A finished fee sheet job of school A (the same one-page stand-in).
    fee_sheet_job = FeeSheetJob.objects.create(
        school=world.school,
        term=term,
        month=datetime.date(2024, 9, 1),
        requested_by=world.admin,
        status=FeeSheetJobStatus.DONE,
        pdf=blank.getvalue(),
        size=len(blank.getvalue()),
    )
    refund_batch = RefundBatch.objects.create(
        school=world.school, term=term, created_by=world.admin
    )
    return {
        "pickup_person": pickup,
        "announcement": announcement,
        "notice": announcement.notices.get(recipient=world.guardian_x.user),
        "school": world.school,
        "supervisor": supervisor,
        "other_supervisor": other_supervisor,
        "term": term,
        "fee_sheet_job": fee_sheet_job,
        "refund_batch": refund_batch,
        "leave": leave,
        "dismissal": dismissal,
        "choice_window": window,
        "allocation_run": run,
        "allocation": Allocation.objects.get(run=run, student=world.child_x),
        "statement": FeeStatement.objects.get(student=world.child_x, term=term),
        "print_job": job,
        "grade": world.class_a.grade,
        "child": world.child_x,
        "guardian": world.guardian_x,
        "class": world.class_a,
        "application": app,
        "survey": survey,
        "submission": app.class_submission,
        "waiver": app.waiver,
        "agreement": app.agreement,
        "roster_upload": upload,
        "service_change": change,
        "session": Session.objects.filter(term=term, school_class=world.class_a).first(),
        "unavailability": unavailability,
        "club": club,
        "person": world.homeroom_a,
        "room": room,
    }


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    """STATIC_ROOT after production's collectstatic (WhiteNoise's compressed,
    hashed storage), once a run: compressing the vendored assets takes ~15 s.
    Read-only for the tests that use it."""
    root = tmp_path_factory.mktemp("staticfiles")
    env = production_env(STATIC_ROOT=str(root))
    result = run_manage("collectstatic", "--no-input", "-v", "0", env=env)
    assert result.returncode == 0, result.stderr
    return root
