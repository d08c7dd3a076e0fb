"""Allocation runs against the database: the stored run and report, the
waiting list filling freed seats, publishing, the command and the pages."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from scheduling.choice import services as choice
from scheduling.choice.selectors import run_report, waiting_list_of
from scheduling.models import (
    Allocation,
    AllocationChange,
    AllocationRun,
    AllocationState,
    ClubChoice,
)
from tests import factories as f
from tests.scheduling.club_helpers import enroll, make_club


def choose(student, term, clubs):
    ClubChoice.objects.bulk_create(
        [
            ClubChoice(student=student, term=term, club=c, club_name=c.name, rank=r)
            for r, c in enumerate(clubs, start=1)
        ]
    )


@pytest.fixture
def crowd(world, term):
    """Club 舞蹈 (2 seats) and 围棋 (1 seat); five enrolled third-graders.
    s0 (priority) and s1..s3 want 舞蹈 then 围棋; s4 wants only 围棋."""
    dance = make_club(term, name="舞蹈", capacity=2)
    go = make_club(term, name="围棋", capacity=1)
    kids = []
    for i in range(5):
        kid = f.make_student(world.class_a, f"学生{i}", is_left_behind=(i == 0))
        enroll(kid, term)
        kids.append(kid)
    for kid in kids[:4]:
        choose(kid, term, [dance, go])
    choose(kids[4], term, [go])
    return {"dance": dance, "go": go, "kids": kids}


def by_student(run):
    return {a.student_id: a for a in Allocation.objects.filter(run=run)}


class TestRun:
    def test_stores_run_and_figures(self, world, term, crowd):
        run = choice.allocation_run(term=term, seed=11, by=world.admin)
        got = by_student(run)
        kids = crowd["kids"]
        # 3 seats for 5 children: s4 takes 围棋 (their only choice, and
        # placing them does not cost anyone a seat); priority s0 gets 舞蹈.
        assert got[kids[0].pk].club == crowd["dance"]
        assert got[kids[4].pk].club == crowd["go"]
        assert sum(a.state == AllocationState.PLACED for a in got.values()) == 3
        assert (run.students, run.got_first, run.got_second, run.got_third, run.got_none) == (
            5,
            3,
            0,
            0,
            2,
        )
        assert (run.priority_students, run.priority_placed) == (1, 1)
        assert run.no_choice == 0  # every enrolled child ranked a club
        # The stored rules are in plain Chinese; the method is only in the appendix.
        assert "抽签号" in run.objective and "OR-Tools" not in run.objective

    def test_same_seed_same_result(self, world, term, crowd):
        a = choice.allocation_run(term=term, seed=5, by=world.admin)
        b = choice.allocation_run(term=term, seed=5, by=world.admin)
        assert {k: v.club_id for k, v in by_student(a).items()} == {
            k: v.club_id for k, v in by_student(b).items()
        }

    def test_seed_decides_among_ties(self, world, term, crowd):
        winners = set()
        for seed in range(12):
            run = choice.allocation_run(term=term, seed=seed, by=None)
            placed = frozenset(
                a.student_id for a in by_student(run).values() if a.club_id == crowd["dance"].pk
            )
            winners.add(placed)
            assert crowd["kids"][0].pk in placed  # the priority child, always
        assert len(winners) > 1

    def test_invalid_choices_left_out(self, world, term, crowd):
        crowd["go"].min_grade = 5
        crowd["go"].save()
        run = choice.allocation_run(term=term, seed=1, by=None)
        got = by_student(run)
        assert crowd["kids"][4].pk not in got  # their only choice no longer counts
        assert run.no_choice == 1

    def test_no_clubs_refused(self, world, term):
        with pytest.raises(ValidationError) as exc:
            choice.allocation_run(term=term, seed=1, by=None)
        assert exc.value.messages == ["本学期还没有社团，无法分配。"]
        assert AllocationRun.objects.count() == 0


class TestWaitingList:
    def test_order_and_fill_on_withdraw(self, world, term, crowd):
        run = choice.allocation_run(term=term, seed=3, by=world.admin)
        dance = crowd["dance"]
        waiting = choice.waiting_list(run, dance)
        assert len(waiting) == 2
        assert waiting == waiting_list_of(run_report(run), dance)
        leaver = (
            Allocation.objects.filter(run=run, club=dance).exclude(student=crowd["kids"][0]).get()
        )
        filled = choice.allocation_withdraw(allocation=leaver, by=world.admin)
        assert filled == waiting[0]
        filled.refresh_from_db()
        assert (filled.club, filled.rank, filled.state, filled.from_waiting_list) == (
            dance,
            1,
            AllocationState.PLACED,
            True,
        )
        kinds = list(AllocationChange.objects.values_list("kind", flat=True))
        assert kinds == ["withdrawn", "filled"]
        assert Allocation.objects.filter(run=run, club=dance, state="placed").count() == 2

    def test_move_frees_a_seat_for_the_next(self, world, term, crowd):
        run = choice.allocation_run(term=term, seed=3, by=world.admin)
        extra = make_club(term, name="扩招", capacity=5)
        mover = Allocation.objects.get(run=run, club=crowd["go"])
        choice.allocation_move(allocation=mover, club=extra, by=world.admin)
        mover.refresh_from_db()
        assert mover.club == extra and mover.rank == 0
        # 围棋's seat went to a waiting child who ranked it.
        assert Allocation.objects.filter(run=run, club=crowd["go"], state="placed").count() == 1

    def test_move_into_a_full_club_refused(self, world, term, crowd):
        run = choice.allocation_run(term=term, seed=3, by=world.admin)
        entry = Allocation.objects.filter(run=run, state="unplaced").first()
        with pytest.raises(ValidationError) as exc:
            choice.allocation_move(allocation=entry, club=crowd["dance"], by=world.admin)
        assert exc.value.messages == ["舞蹈 已满（2 人）。"]
        assert AllocationChange.objects.count() == 0

    def test_withdraw_when_not_placed_refused(self, world, term, crowd):
        run = choice.allocation_run(term=term, seed=3, by=world.admin)
        entry = Allocation.objects.filter(run=run, state="unplaced").first()
        with pytest.raises(ValidationError):
            choice.allocation_withdraw(allocation=entry, by=world.admin)
        assert AllocationChange.objects.count() == 0


class TestCommand:
    def test_prints_the_report(self, world, term, crowd):
        out = StringIO()
        call_command("allocate_clubs", term=term.name, seed=9, stdout=out)
        text = out.getvalue()
        assert "社团分配 #" in text and "（抽签号 9）" in text
        assert "抽签号 9 已记录：用同一个抽签号重新分配，结果完全相同，可以复核。" in text
        assert "分配规则：按志愿分配，不按填报先后" in text
        assert "随机种子" not in text and "求解" not in text
        assert "参与分配 5 人：第一志愿 3，第二志愿 0，第三志愿 0，未分配 2" in text
        assert "优先保障学生 1 人，已分配 1 人" in text
        assert "舞蹈：2/2，2/0/0，候补 2" in text
        assert "未分配到社团（2 人，优先保障 0 人）" in text
        assert AllocationRun.objects.get().published_at is None

    def test_help_says_what_the_school_decides_in_plain_chinese(self):
        from scheduling.management.commands.allocate_clubs import Command

        parser = Command().create_parser("manage.py", "allocate_clubs")
        text = "".join(parser.format_help().split())  # argparse wraps lines
        assert "随机种子" not in text
        assert "条件完全相同的学生争同一个名额时按抽签号决定" in text
        assert "用同一个抽签号重新分配，结果完全相同" in text
        assert "--seed抽签号" in text

    def test_negative_draw_number_refused_and_nothing_run(self, world, term, crowd):
        with pytest.raises(CommandError, match="抽签号必须是非负整数"):
            call_command("allocate_clubs", term=term.name, seed=-1, stdout=StringIO())
        assert not AllocationRun.objects.exists()

    def test_publish_flag_and_unknown_term(self, world, term, crowd):
        call_command("allocate_clubs", term=term.name, seed=9, publish=True, stdout=StringIO())
        assert AllocationRun.objects.get().published_at is not None
        with pytest.raises(CommandError, match="找不到学期"):
            call_command("allocate_clubs", term="没有的学期", seed=1, stdout=StringIO())


class TestPages:
    def test_admin_runs_publishes_and_guardian_sees(self, client, world, term, crowd):
        kid = crowd["kids"][4]
        parent = f.make_guardian(kid, "家长", "13900000077")
        client.force_login(world.admin)
        response = client.post(reverse("scheduling:allocation") + f"?term={term.pk}", {"seed": 8})
        run = AllocationRun.objects.get()
        assert response.url == reverse("scheduling:allocation-run", args=[run.pk])
        html = client.get(response.url).content.decode()
        assert "未分配到社团的学生（2 人，其中优先保障 0 人）" in html
        client.post(reverse("scheduling:allocation-publish", args=[run.pk]))
        client.force_login(parent.user)
        html = client.get(reverse("scheduling:club-choose", args=[kid.pk])).content.decode()
        assert "分配结果：围棋" in html

    def test_report_counts_each_clubs_seats_by_rank(self, client, world, term, crowd):
        # s0..s3 rank 舞蹈 first (2 seats), s4 ranks 围棋 first (1 seat): every
        # seat goes to a first choice, so 舞蹈 shows 2/0/0 and 围棋 1/0/0.
        run = choice.allocation_run(term=term, seed=11, by=world.admin)
        client.force_login(world.admin)
        html = client.get(reverse("scheduling:allocation-run", args=[run.pk])).content.decode()
        rows = dict(
            re.findall(
                r"<tr><td>(舞蹈|围棋)</td>.*?<td class=\"rank-counts\">([^<]*)</td>", html, re.S
            )
        )
        assert rows == {"舞蹈": "2 / 0 / 0", "围棋": "1 / 0 / 0"}

    def test_unpublished_result_hidden_from_guardian(self, client, world, term):
        club = make_club(term, name="足球")
        enroll(world.child_x, term)
        choose(world.child_x, term, [club])
        choice.allocation_run(term=term, seed=1, by=None)
        client.force_login(world.guardian_x.user)
        html = client.get(reverse("scheduling:club-choose", args=[world.child_x.pk])).content
        assert "分配结果" not in html.decode()

    def test_withdraw_via_page(self, client, world, term, crowd):
        run = choice.allocation_run(term=term, seed=3, by=world.admin)
        entry = Allocation.objects.get(run=run, club=crowd["go"])
        client.force_login(world.admin)
        response = client.post(reverse("scheduling:allocation-withdraw", args=[entry.pk]))
        assert response.status_code == 302
        entry.refresh_from_db()
        assert entry.state == AllocationState.WITHDRAWN

    @pytest.mark.parametrize("size", [5, 40])
    def test_report_query_count(self, client, world, term, django_assert_num_queries, size):
        clubs = [make_club(term, name=f"社团{i}", capacity=3) for i in range(4)]
        for i in range(size):
            kid = f.make_student(world.class_a, f"学生{i}")
            enroll(kid, term)
            choose(kid, term, (clubs[i % 4 :] + clubs[: i % 4])[:3])
        run = choice.allocation_run(term=term, seed=1, by=world.admin)
        client.force_login(world.admin)
        # 1 session, 2 user+school, 3 run with term, 4 clubs, 5 allocations
        # with students, 6 changes, 7 published run.
        with django_assert_num_queries(7):
            response = client.get(reverse("scheduling:allocation-run", args=[run.pk]))
        assert response.status_code == 200

    def test_permissions(self, client, world, term, crowd):
        run = choice.allocation_run(term=term, seed=3, by=world.admin)
        entry = Allocation.objects.filter(run=run, state="placed").first()
        gets = [
            reverse("scheduling:allocation"),
            reverse("scheduling:allocation-run", args=[run.pk]),
        ]
        posts = [
            reverse("scheduling:allocation-publish", args=[run.pk]),
            reverse("scheduling:allocation-withdraw", args=[entry.pk]),
            reverse("scheduling:allocation-move", args=[entry.pk]),
        ]
        for user in (world.guardian_x.user, world.homeroom_a, world.teacher):
            client.force_login(user)
            for url in gets:
                assert client.get(url).status_code == 403, (user, url)
            for url in posts:
                assert client.post(url, {"club": crowd["go"].pk}).status_code == 403
        client.force_login(world.other_admin)
        assert client.get(gets[1]).status_code == 404
        for url in posts:
            assert client.post(url, {"club": crowd["go"].pk}).status_code == 404
        run.refresh_from_db()
        assert run.published_at is None
        assert AllocationChange.objects.count() == 0


class TestClubDeletedAfterPublishing:
    def test_deleting_a_club_keeps_the_row_and_tells_the_guardian(self, client, world, term):
        club = make_club(term, name="足球")
        enroll(world.child_x, term)
        choose(world.child_x, term, [club])
        run = choice.allocation_run(term=term, seed=1, by=None)
        choice.allocation_publish(run=run)
        club.delete()
        entry = Allocation.objects.get(run=run, student=world.child_x)
        assert entry.club is None and entry.state == AllocationState.PLACED
        client.force_login(world.guardian_x.user)
        html = client.get(reverse("scheduling:club-choose", args=[world.child_x.pk])).content
        assert "孩子分配到的社团已被学校取消" in html.decode()
