"""Shared fixtures: the personas of STYLE.md §7 in two schools."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from afterschool.models import Guardian, Role, School, SchoolClass, Student, User
from tests import factories as f

# Browser tests use pytest-playwright's fixtures (``browser``, ``page``) with
# Debian's Chromium: Playwright's own browser download does not work here.
# One Playwright instance for the whole run: a test that started its own
# sync_playwright() beside these fixtures would fail inside their event loop.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


# CI explores the same examples on every run (a red run must be repeatable);
# local runs keep exploring new ones. The example database lives in .hypothesis/.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures"


@dataclass
class World:
    """School A with classes A (三年级1班) and B (三年级2班), a child in each with
    their own guardian; school B with its own admin, class and child."""

    school: School  # 实验小学
    other_school: School  # 第二小学
    admin: User  # school A's admin (王校长)
    homeroom_a: User  # class A's homeroom teacher (李老师)
    homeroom_b: User  # class B's homeroom teacher (赵老师)
    teacher: User  # a club and subject teacher of school A (钱老师)
    volunteer: User  # a parent-committee volunteer of school A (孙阿姨)
    class_a: SchoolClass  # 三年级（1）班 of school A
    class_b: SchoolClass  # 三年级（2）班 of school A
    child_x: Student  # 张小明, class A
    child_y: Student  # 刘小红, class B
    guardian_x: Guardian  # 张伟, child X's guardian (with a login)
    guardian_y: Guardian  # 刘芳, child Y's guardian (with a login)
    other_admin: User  # school B's admin (周校长)
    other_class: SchoolClass  # 三年级（1）班 of school B, no homeroom teacher
    other_child: Student  # 陈小军, school B
    other_guardian: Guardian  # 陈强, the other child's guardian


@pytest.fixture
def world(db) -> World:
    return make_world()


def make_world() -> World:
    """The ``world`` fixture's rows (a test module sharing one world builds
    it with this inside its own transaction, tests/ops/conftest.py)."""
    school = f.make_school("实验小学")
    other = f.make_school("第二小学")
    admin = f.make_user(school, Role.ADMIN, "admin_a", name="王校长")
    homeroom_a = f.make_user(school, Role.HOMEROOM, "homeroom_a", name="李老师")
    homeroom_b = f.make_user(school, Role.HOMEROOM, "homeroom_b", name="赵老师")
    teacher = f.make_user(school, Role.TEACHER, "teacher_a", name="钱老师")
    volunteer = f.make_user(school, Role.VOLUNTEER, "volunteer_a", name="孙阿姨")
    class_a = f.make_class(school, 3, 1, homeroom_a)
    class_b = f.make_class(school, 3, 2, homeroom_b)
    child_x = f.make_student(class_a, "张小明")
    child_y = f.make_student(class_b, "刘小红", gender="F")
    guardian_x = f.make_guardian(child_x, "张伟", "13900000001")
    guardian_y = f.make_guardian(child_y, "刘芳", "13900000002")
    other_admin = f.make_user(other, Role.ADMIN, "admin_b", name="周校长")
    other_class = f.make_class(other, 3, 1, None)
    other_child = f.make_student(other_class, "陈小军")
    other_guardian = f.make_guardian(other_child, "陈强", "13900000003")
    return World(
        school,
        other,
        admin,
        homeroom_a,
        homeroom_b,
        teacher,
        volunteer,
        class_a,
        class_b,
        child_x,
        child_y,
        guardian_x,
        guardian_y,
        other_admin,
        other_class,
        other_child,
        other_guardian,
    )


@pytest.fixture
def fixtures_dir() -> Path:
    if not FIXTURES.exists():
        pytest.fail(f"shared fixtures not found at {FIXTURES}")
    return FIXTURES


# How ``make test`` spreads the suite over pytest-xdist's workers (``--dist
# loadscope`` with the scheduler below): a module's tests stay on one worker,
# so its module-scoped fixtures (a built demo school, ~60 s) are built once,
# and so do a package's that share a package-scoped fixture. (xdist's own
# ``loadgroup`` marks do not group under pytest 9.2: xdist renames
# ``item._nodeid``, which pytest 9.2 no longer reads.)
SHARED_GROUPS = {
    "tests/demo/school/": "tests/demo/school/",  # one demo school (conftest.py)
    # Both read one production collectstatic (tests/ops/conftest.py).
    "tests/ops/test_page_weight.py": "collected-static",
    "tests/ops/test_serving.py": "collected-static",
}
# The longest groups (from ``--durations``) start first, so no worker is left
# with a long one at the end. Order only: a missing or stale entry costs time,
# never a result.
LONGEST_FIRST = (
    "tests/demo/school/",
    "tests/demo/test_present.py",
    "tests/ops/test_fuzz.py",
    "tests/ops/test_browser_walk.py",
    "tests/browser/test_accessibility.py",
    "tests/demo/test_county.py",
    "tests/ops/test_exports.py",
    "tests/ops/test_url_matrix.py",
)


def xdist_group_of(nodeid: str) -> str:
    """The scheduling group of a test id: its module, or a shared group."""
    path = nodeid.split("::", 1)[0]
    return next((g for p, g in SHARED_GROUPS.items() if path.startswith(p)), path)


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleGroupScheduling(LoadScopeScheduling):
        """xdist's loadscope, one unit per module or shared group, sent in
        collection order (``--no-loadscope-reorder``: longest first)."""

        def _split_scope(self, nodeid: str) -> str:
            return xdist_group_of(nodeid)

    return ModuleGroupScheduling(config, log)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Puts the longest groups first (a stable sort: every module stays in
    one block in pytest's own order, which keeps parametrized module
    fixtures built once)."""

    def rank(item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return next(
            (i for i, p in enumerate(LONGEST_FIRST) if path.startswith(p)), len(LONGEST_FIRST)
        )

    items.sort(key=rank)
