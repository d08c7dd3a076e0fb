"""Each role's to-dos: the right counts, linking to the page that resolves
them, in a fixed number of queries at two sizes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from afterschool.models import NoticeKind
from afterschool.notices.services import notify
from afterschool.rollover.services import school_year_rollover
from billing.models import FeeStatement
from enrollment.models import Application, ClassSubmission, Status, WaiverRequest
from enrollment.waivers.selectors import waivers_for_school
from overview.todo import selectors as todo
from scheduling.choice import services as choice
from scheduling.models import (
    ChoiceWindow,
    ClubChoice,
    LeaveKind,
    LeaveRequest,
    LeaveStatus,
    Period,
    Session,
    TermSchedule,
    WindowScope,
)
from tests import factories as f
from tests.scheduling.club_helpers import enroll, make_club, open_window

NOW = timezone.make_aware(datetime.datetime(2024, 9, 3, 17, 40))  # Tue, after-school period
DAY = NOW.date()


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def app(student, term, status, by, **extra):
    return Application.objects.create(
        student=student,
        term=term,
        status=status,
        created_by=by,
        wants_after_school=True,
        goes_home_alone=False,
        pickup_name="张伟",
        pickup_relation="父亲",
        pickup_mobile="13900000001",
        reason="父母下班晚，无人接送。",
        **extra,
    )


def count_queries(fn, **kw):
    with CaptureQueriesContext(connection) as ctx:
        items = fn(**kw)
    return items, len(ctx.captured_queries)


def first_choice(student, club):
    return ClubChoice.objects.create(
        student=student, term=club.term, club=club, club_name=club.name, rank=1
    )


def by_key(items):
    return {t.key: t for t in items}


class TestGuardian:
    def build(self, world, term, n):
        kids = [world.child_x]
        for i in range(n - 1):
            kid = f.make_student(world.class_a, f"孩子{i}")
            f.make_guardian(kid, "张伟", world.guardian_x.mobile, with_login=False)
            kids.append(kid)
        for k in kids:
            app(k, term, Status.APPROVED, world.admin)
        returned = f.make_student(world.class_a, "退回")
        f.make_guardian(returned, "张伟", world.guardian_x.mobile, with_login=False)
        app(returned, term, Status.RETURNED, world.admin, last_reason="缺少接送人")
        FeeStatement.objects.create(
            school=world.school,
            term=term,
            student=world.child_x,
            school_class=world.class_a,
            month=datetime.date(2024, 9, 1),
            total=Decimal("46.00"),
        )
        LeaveRequest.objects.create(
            student=world.child_x,
            term=term,
            kind=LeaveKind.DAYS,
            first_day=DAY,
            last_day=DAY,
            reason="看病",
            requested_by=world.guardian_x.user,
            status=LeaveStatus.APPROVED,
            decided_at=NOW,
        )
        notify(
            school=world.school,
            recipients=[world.guardian_x.user],
            kind=NoticeKind.ANNOUNCEMENT,
            title="公告",
        )
        world.guardian_x.user.refresh_from_db()
        return kids

    @pytest.mark.parametrize("n", [1, 4])
    def test_counts_and_queries(self, world, term, n):
        self.build(world, term, n)
        items, queries = count_queries(todo.guardian_todos, user=world.guardian_x.user)
        got = by_key(items)
        assert got["agreement"].count == n
        assert got["returned"].count == 1 and "缺少接送人" in got["returned"].detail
        assert got["arrears"].count == 1 and got["arrears"].url == reverse("billing:family")
        assert got["leave"].count == 1
        assert got["unread"].count == 1
        assert [t.key for t in items][:2] == ["agreement", "returned"]
        # children, terms (with their survey and whether a result was
        # published this week), open choice windows, the applications
        # (agreements and returned), leave decided, arrears.
        assert queries == 6

    def test_club_choice_only_for_children_taking_the_featured_day(self, world, term):
        kids = self.build(world, term, 3)
        Application.objects.filter(student=kids[1]).update(wants_featured_day=True)
        ChoiceWindow.objects.create(
            term=term,
            scope=WindowScope.SCHOOL,
            opens_at=NOW - datetime.timedelta(hours=1),
            closes_at=NOW + datetime.timedelta(days=2),
            created_by=world.admin,
        )
        items, queries = count_queries(todo.guardian_todos, user=world.guardian_x.user)
        # The returned child and those without the featured day choose nothing.
        assert by_key(items)["choice"].names == [kids[1].name]
        assert by_key(items)["choice"].detail == "截止：9月5日 17:40"
        assert queries == 6  # who takes the featured day rides on the applications

    def test_club_choice_counts_only_the_children_still_to_choose(self, world, term):
        kids = self.build(world, term, 3)
        Application.objects.filter(student__in=kids[:2]).update(wants_featured_day=True)
        open_window(term, days=2)
        club = make_club(term, name="科学小实验")
        first_choice(kids[0], club)
        items, queries = count_queries(todo.guardian_todos, user=world.guardian_x.user)
        got = by_key(items)["choice"]
        assert (got.count, got.names) == (1, [kids[1].name])
        assert got.url == reverse("scheduling:club-choose", args=[kids[1].pk])
        assert f"{kids[0].name}已提交，截止前可修改" in got.detail
        assert queries == 6  # the saved choices ride on the applications query
        first_choice(kids[1], club)
        assert "choice" not in by_key(todo.guardian_todos(user=world.guardian_x.user))

    def test_allocation_result_clears_once_the_guardian_has_seen_it(self, client, world, term):
        self.build(world, term, 1)
        enroll(world.child_y, term)
        Application.objects.filter(student=world.child_x).update(wants_featured_day=True)
        club = make_club(term, name="科学小实验")
        for child in (world.child_x, world.child_y):
            first_choice(child, club)
        choice.allocation_publish(run=choice.allocation_run(term=term, seed=1, by=world.admin))
        x, y = world.guardian_x.user, world.guardian_y.user
        got = by_key(todo.guardian_todos(user=x))["allocation"]
        assert got.count == 1 and "科学小实验" in got.detail
        # Guardian X looks at the child's club page: gone, its notice read.
        client.force_login(x)
        client.get(reverse("scheduling:club-choose", args=[world.child_x.pk]))
        assert "allocation" not in by_key(todo.guardian_todos(user=x))
        assert not x.notices.filter(kind=NoticeKind.ALLOCATION_PUBLISHED, read_at=None).exists()
        # Guardian Y opens the notice instead: gone too.
        assert "allocation" in by_key(todo.guardian_todos(user=y))
        client.force_login(y)
        notice = y.notices.get(kind=NoticeKind.ALLOCATION_PUBLISHED)
        client.get(reverse("notices:detail", args=[notice.pk]))
        assert "allocation" not in by_key(todo.guardian_todos(user=y))

    def test_an_unseen_allocation_result_stops_after_the_week(self, world, term):
        self.build(world, term, 1)
        Application.objects.filter(student=world.child_x).update(wants_featured_day=True)
        club = make_club(term, name="科学小实验")
        first_choice(world.child_x, club)
        choice.allocation_publish(run=choice.allocation_run(term=term, seed=1, by=world.admin))
        user = world.guardian_x.user
        later = NOW + datetime.timedelta(days=todo.RECENT_DAYS, minutes=1)
        assert "allocation" in by_key(todo.guardian_todos(user=user))
        assert "allocation" not in by_key(todo.guardian_todos(user=user, now=later))

    def test_a_grade_window_after_the_rollover_goes_by_the_terms_grade(self, world, term):
        kids = self.build(world, term, 1)
        Application.objects.filter(student=kids[0]).update(wants_featured_day=True)
        ChoiceWindow.objects.create(
            term=term,
            scope=WindowScope.GRADE,
            grade=3,
            opens_at=NOW - datetime.timedelta(hours=1),
            closes_at=NOW + datetime.timedelta(days=2),
            created_by=world.admin,
        )
        school_year_rollover(school=world.school, from_year=term.school_year, by=world.admin)

        items = todo.guardian_todos(user=world.guardian_x.user)

        # 三年级 of the term's year, though the child's latest class is 四年级.
        assert by_key(items)["choice"].names == [world.child_x.name]

    def test_other_guardian_sees_none_of_it(self, world, term):
        self.build(world, term, 2)
        items = todo.guardian_todos(user=world.guardian_y.user)
        assert not {"agreement", "returned", "arrears", "leave", "unread"} & set(by_key(items))


class TestHomeroom:
    def build(self, world, term, n):
        classes = [world.class_a] + [
            f.make_class(world.school, 4, i + 1, world.homeroom_a) for i in range(n - 1)
        ]
        for i, c in enumerate(classes):
            s1, s2, s3 = (f.make_student(c, name) for name in ("甲", "乙", "丙"))
            app(s1, term, Status.SUBMITTED, world.admin)
            app(s2, term, Status.RETURNED, world.admin)
            app(s3, term, Status.APPROVED, world.admin)
            Session.objects.create(
                term=term,
                date=DAY,
                weekday=DAY.weekday(),
                period=Period.AFTER_SCHOOL,
                school_class=c,
                supervisor=world.teacher if i == 0 else None,
            )
            LeaveRequest.objects.create(
                student=s1,
                term=term,
                kind=LeaveKind.DAYS,
                first_day=DAY,
                last_day=DAY,
                reason="看病",
                requested_by=world.admin,
            )
        return classes

    @pytest.mark.parametrize("n", [1, 3])
    def test_counts_and_queries(self, world, term, n):
        classes = self.build(world, term, n)
        items, queries = count_queries(todo.homeroom_todos, user=world.homeroom_a)
        keys = [t.key for t in items]
        assert keys.count("review") == n and keys.count("returned") == n
        assert keys.count("class_list") == n
        class_a_list = next(
            t for t in items if t.key == "class_list" and "（1）班" in t.label and "三" in t.label
        )
        assert "张小明" in class_a_list.names  # no application yet: blocks the list
        got = by_key(items)
        assert got["roll"].count == n
        assert got["leave"].count == n
        # 17:40 is inside the after-school period (17:20–18:10): nobody waits yet.
        assert "dismissal" not in got
        assert len(classes) == n
        # term (with its schedule), classes with counts, blocking students,
        # today's sessions, leave waiting; no dismissal count before the end.
        assert queries == 5

    @pytest.mark.parametrize("n", [1, 3])
    def test_not_collected_counts_after_the_last_session_ends(self, world, term, n):
        self.build(world, term, n)
        with time_machine.travel(NOW.replace(hour=18, minute=10), tick=False):
            items, queries = count_queries(todo.homeroom_todos, user=world.homeroom_a)
        got = by_key(items)
        assert got["dismissal"].count == n  # the approved child of each class, not collected
        assert got["dismissal"].url == reverse("scheduling:dismissal-index")
        # ... and the children waiting at dismissal.
        assert queries == 6

    @pytest.mark.parametrize(("hour", "minute"), [(11, 30), (13, 30), (17, 20), (18, 9)], ids=str)
    def test_not_collected_is_not_counted_before_the_period_ends(self, world, term, hour, minute):
        self.build(world, term, 2)
        with time_machine.travel(NOW.replace(hour=hour, minute=minute), tick=False):
            assert "dismissal" not in by_key(todo.homeroom_todos(user=world.homeroom_a))

    def test_the_terms_own_period_end_is_used(self, world, term):
        from scheduling.models import TermSchedule

        self.build(world, term, 1)
        TermSchedule.objects.create(
            term=term,
            after_start=datetime.time(16, 30),
            after_end=datetime.time(17, 30),
        )
        assert by_key(todo.homeroom_todos(user=world.homeroom_a))["dismissal"].count == 1
        TermSchedule.objects.filter(term=term).update(after_end=datetime.time(18, 30))
        with time_machine.travel(NOW.replace(hour=18, minute=20), tick=False):
            assert "dismissal" not in by_key(todo.homeroom_todos(user=world.homeroom_a))

    def test_no_session_or_a_suspended_day_counts_nobody(self, world, term):
        from scheduling.models import ServiceChange, ServiceChangeKind

        self.build(world, term, 1)
        late = NOW.replace(hour=18, minute=30)
        with time_machine.travel(late, tick=False):
            assert by_key(todo.homeroom_todos(user=world.homeroom_a))["dismissal"].count == 1
            ServiceChange.objects.create(
                school=world.school, date=DAY, kind=ServiceChangeKind.SUSPENDED, notice="停课"
            )
            assert "dismissal" not in by_key(todo.homeroom_todos(user=world.homeroom_a))
            ServiceChange.objects.all().delete()
            Session.objects.filter(date=DAY).delete()
            assert "dismissal" not in by_key(todo.homeroom_todos(user=world.homeroom_a))

    def test_a_rollover_keeps_the_terms_class_on_the_list(self, world, term):
        self.build(world, term, 1)
        school_year_rollover(school=world.school, from_year=term.school_year, by=world.admin)
        with time_machine.travel(NOW.replace(hour=18, minute=10), tick=False):
            items, queries = count_queries(todo.homeroom_todos, user=world.homeroom_a)
        got = by_key(items)
        # The term's 三年级（1）班 still has its children, though their latest
        # class is next year's 四年级（1）班.
        assert got["review"].count == 1 and got["returned"].count == 1
        assert got["class_list"].names == ["张小明"]
        assert got["dismissal"].count == 1
        assert queries == 6

    def test_submitted_class_is_not_listed_and_other_teacher_sees_none(self, world, term):
        self.build(world, term, 1)
        ClassSubmission.objects.create(
            school_class=world.class_a, term=term, submitted_by=world.homeroom_a
        )
        assert "class_list" not in by_key(todo.homeroom_todos(user=world.homeroom_a))
        other = by_key(todo.homeroom_todos(user=world.homeroom_b))
        assert not {"review", "returned", "roll", "leave", "dismissal"} & set(other)


class TestAdmin:
    @pytest.mark.parametrize("n", [2, 6])
    def test_counts_and_queries(self, world, term, n):
        for i in range(n - 2):
            f.make_class(world.school, 5, i + 1)
        ClassSubmission.objects.create(
            school_class=world.class_b, term=term, submitted_by=world.homeroom_b
        )
        app(world.child_x, term, Status.APPROVED, world.admin)
        Session.objects.create(
            term=term,
            date=DAY,
            weekday=DAY.weekday(),
            period=Period.NOON,
            school_class=world.class_a,
        )
        world.admin.school.refresh_from_db()
        items, queries = count_queries(todo.admin_todos, user=world.admin)
        got = by_key(items)
        assert got["fee_document"].urgent
        assert got["not_submitted"].count == n - 1
        assert "三年级（1）班" in got["not_submitted"].names
        assert "三年级（2）班" not in got["not_submitted"].names
        assert got["submissions"].count == 1
        assert got["unsigned"].count == 1
        assert got["unsupervised"].count == 1
        # (the school row is loaded with the user on every page) term,
        # classes not submitted, one query of counts (submissions, waivers,
        # unsigned, print jobs, arrears), sessions without a supervisor.
        assert queries == 4

    def test_times_under_the_national_rules_are_a_todo_until_fixed(self, world, term):
        """The seed's times (13:00–13:55 and 17:20–18:10) make 105 minutes a
        day: under the 2 hours the national rules ask. Saved times of 2 hours
        ending after working hours clear it (the schedule comes with the term:
        test_counts_and_queries counts the same queries)."""
        policy = by_key(todo.admin_todos(user=world.admin))["policy"]
        assert policy.count == 1 and policy.urgent
        assert "每天服务时长为105分钟，不足2小时" in policy.names[0]
        assert policy.url == reverse("scheduling:term-settings") + f"?term={term.pk}"
        TermSchedule.objects.create(
            term=term,
            noon_start=datetime.time(12, 30),
            noon_end=datetime.time(13, 30),
            after_start=datetime.time(17, 0),
            after_end=datetime.time(18, 0),
            work_day_end=datetime.time(18, 30),
        )
        end = by_key(todo.admin_todos(user=world.admin))["policy"]
        assert end.names == [
            "课后服务18:00结束，早于当地正常下班时间18:30（结束时间不得早于当地正常下班时间）。"
        ]
        TermSchedule.objects.filter(term=term).update(work_day_end=datetime.time(18, 0))
        assert "policy" not in by_key(todo.admin_todos(user=world.admin))

    def test_real_fee_document_is_not_a_todo(self, world, term):
        world.school.fee_document = "陕价费发【2024】12号"
        world.school.save(update_fields=["fee_document"])
        world.admin.refresh_from_db()
        assert "fee_document" not in by_key(todo.admin_todos(user=world.admin))
        # A county whose name is written with X is still a real number.
        world.school.fee_document = "XX县教发【2026】12号"
        assert not todo.fee_document_is_placeholder(world.school)
        for placeholder in ("X教发【2024】X号", ""):
            world.school.fee_document = placeholder
            assert todo.fee_document_is_placeholder(world.school)

    def test_waivers_and_arrears_count_as_their_pages_do(self, world, term):
        sent = app(world.child_x, term, Status.SUBMITTED, world.admin)
        draft = app(world.child_y, term, Status.DRAFT, world.admin)
        other = f.make_student(world.class_a, "王小退")
        withdrawn = app(other, term, Status.WITHDRAWN, world.admin)
        for a in (sent, draft, withdrawn):
            WaiverRequest.objects.create(application=a, reason="低保户")
        for month in (9, 10):
            for kid, klass in ((world.child_x, world.class_a), (world.child_y, world.class_b)):
                FeeStatement.objects.create(
                    school=world.school,
                    term=term,
                    student=kid,
                    school_class=klass,
                    month=datetime.date(2024, month, 1),
                    total=Decimal("46.00"),
                )
        got = by_key(todo.admin_todos(user=world.admin))
        assert got["waivers"].count == 1
        assert [w.pk for w in waivers_for_school(school_id=world.school.pk, term=term)] == [
            sent.waiver.pk
        ]
        # Two families owe for two months each: two to call, not four bills.
        assert got["arrears"].count == 2
        assert got["arrears"].url.endswith("#arrears")


class TestStaff:
    @pytest.mark.parametrize("n", [1, 2])
    def test_todays_sessions(self, world, term, n):
        for i in range(n):
            c = world.class_a if i == 0 else f.make_class(world.school, 5, i)
            Session.objects.create(
                term=term,
                date=DAY,
                weekday=DAY.weekday(),
                period=[Period.NOON, Period.AFTER_SCHOOL][i],
                school_class=c,
                supervisor=world.teacher,
            )
        items, queries = count_queries(todo.staff_todos, user=world.teacher)
        assert [t.key for t in items] == ["session"] * n
        assert all(t.detail == "待点名" for t in items)
        assert queries == 2  # sessions with marks, clubs meeting today


class TestHomePage:
    def test_guardian_phone_home_shows_the_todos(self, client, world, term):
        TestGuardian().build(world, term, 1)
        client.force_login(world.guardian_x.user)
        html = client.get(reverse("home")).content.decode()
        assert 'data-todo="agreement"' in html and 'data-todo="unread"' in html

    def test_admin_home_has_the_dashboard_slot_and_todos(self, client, world, term):
        client.force_login(world.admin)
        html = client.get(reverse("home")).content.decode()
        assert 'data-todo="fee_document"' in html
