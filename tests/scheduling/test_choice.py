"""Club choice: selection windows, ranking rules, the guardian's page,
permissions and concurrent submissions (DESIGN.md, club choice rules)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from afterschool.rollover.services import school_year_rollover
from enrollment.models import Application, Status
from scheduling.choice import services as choice
from scheduling.choice.selectors import choice_page
from scheduling.models import AllocationRun, ChoiceWindow, ClubChoice, WindowScope
from tests import factories as f
from tests.scheduling.club_helpers import enroll, make_club, open_window


@pytest.fixture
def setup(world, term):
    clubs = [make_club(term, name=f"社团{i}", grades=(1, 6)) for i in range(4)]
    enroll(world.child_x, term)
    enroll(world.child_y, term)
    return clubs


def ids(clubs):
    return [c.pk for c in clubs]


def saved(student, term):
    return list(
        ClubChoice.objects.filter(student=student, term=term)
        .order_by("rank")
        .values_list("club_id", flat=True)
    )


class TestWindows:
    def test_class_window_beats_grade_beats_school(self, world, term):
        now = timezone.now()
        day = datetime.timedelta(days=1)
        school = ChoiceWindow.objects.create(
            term=term, scope=WindowScope.SCHOOL, opens_at=now - day, closes_at=now + day
        )
        assert choice.window_for(student=world.child_x, term=term) == school
        grade = ChoiceWindow.objects.create(
            term=term, scope=WindowScope.GRADE, grade=3, opens_at=now + day, closes_at=now + 2 * day
        )
        assert choice.window_for(student=world.child_x, term=term) == grade
        cls = ChoiceWindow.objects.create(
            term=term,
            scope=WindowScope.CLASS,
            school_class=world.class_b,
            opens_at=now - 2 * day,
            closes_at=now - day,
        )
        assert choice.window_for(student=world.child_x, term=term) == grade
        assert choice.window_for(student=world.child_y, term=term) == cls

    def test_not_yet_open_says_when_and_writes_nothing(self, world, term, setup):
        opens = timezone.make_aware(datetime.datetime(2030, 9, 3, 8, 0))
        ChoiceWindow.objects.create(
            term=term,
            scope=WindowScope.GRADE,
            grade=3,
            opens_at=opens,
            closes_at=opens + datetime.timedelta(days=3),
        )
        with pytest.raises(ValidationError) as exc:
            choice.club_choices_save(
                student=world.child_x, term=term, club_ids=ids(setup[:1]), by=world.admin
            )
        assert exc.value.messages == [
            "社团选课尚未开始，将于 2030年9月3日 08:00 开放（截止 2030年9月6日 08:00）。"
        ]
        assert ClubChoice.objects.count() == 0

    def test_closed_says_when_and_writes_nothing(self, world, term, setup):
        closed = timezone.make_aware(datetime.datetime(2024, 9, 6, 20, 0))
        ChoiceWindow.objects.create(
            term=term,
            scope=WindowScope.CLASS,
            school_class=world.class_a,
            opens_at=closed - datetime.timedelta(days=4),
            closes_at=closed,
        )
        with pytest.raises(ValidationError) as exc:
            choice.club_choices_save(
                student=world.child_x, term=term, club_ids=ids(setup[:1]), by=world.admin
            )
        assert exc.value.messages == ["社团选课已于 2024年9月6日 20:00 结束。"]
        assert ClubChoice.objects.count() == 0

    def test_no_window_at_all(self, world, term, setup):
        with pytest.raises(ValidationError) as exc:
            choice.club_choices_save(
                student=world.child_x, term=term, club_ids=ids(setup[:1]), by=world.admin
            )
        assert exc.value.messages == ["学校尚未安排本学期的社团选课时间。"]
        assert ClubChoice.objects.count() == 0

    def test_one_window_per_scope(self, world, term):
        now = timezone.now()
        kw = {"term": term, "opens_at": now, "closes_at": now + datetime.timedelta(days=1)}
        choice.choice_window_save(scope=WindowScope.GRADE, grade=2, by=world.admin, **kw)
        with pytest.raises(ValidationError) as exc:
            choice.choice_window_save(scope=WindowScope.GRADE, grade=2, by=world.admin, **kw)
        assert exc.value.messages == ["二年级 本学期已有选课时间，请修改原有设置。"]
        assert ChoiceWindow.objects.count() == 1

    def test_end_before_start_refused(self, world, term):
        now = timezone.now()
        with pytest.raises(ValidationError) as exc:
            choice.choice_window_save(
                term=term, scope=WindowScope.SCHOOL, opens_at=now, closes_at=now, by=world.admin
            )
        assert exc.value.messages == ["结束时间必须晚于开始时间。"]
        assert ChoiceWindow.objects.count() == 0

    def test_other_schools_class_refused(self, world, term):
        now = timezone.now()
        with pytest.raises(ValidationError):
            choice.choice_window_save(
                term=term,
                scope=WindowScope.CLASS,
                school_class=world.other_class,
                opens_at=now,
                closes_at=now + datetime.timedelta(hours=1),
                by=world.admin,
            )
        assert ChoiceWindow.objects.count() == 0


class TestRanking:
    @pytest.fixture(autouse=True)
    def window(self, term):
        open_window(term)

    def test_saves_in_rank_order_and_replaces(self, world, term, setup):
        choice.club_choices_save(
            student=world.child_x, term=term, club_ids=ids(setup[:3]), by=world.guardian_x.user
        )
        assert saved(world.child_x, term) == ids(setup[:3])
        choice.club_choices_save(
            student=world.child_x, term=term, club_ids=[setup[3].pk], by=world.guardian_x.user
        )
        assert saved(world.child_x, term) == [setup[3].pk]

    def test_more_than_three_refused(self, world, term, setup):
        with pytest.raises(ValidationError) as exc:
            choice.club_choices_save(
                student=world.child_x, term=term, club_ids=ids(setup), by=world.admin
            )
        assert exc.value.messages == ["最多填报 3 个志愿。"]
        assert ClubChoice.objects.count() == 0

    def test_duplicate_refused(self, world, term, setup):
        with pytest.raises(ValidationError) as exc:
            choice.club_choices_save(
                student=world.child_x,
                term=term,
                club_ids=[setup[0].pk, setup[0].pk],
                by=world.admin,
            )
        assert exc.value.messages == ["同一个社团不能重复填报。"]
        assert ClubChoice.objects.count() == 0

    def test_gap_refused(self, world, term, setup):
        with pytest.raises(ValidationError) as exc:
            choice.club_choices_save(
                student=world.child_x, term=term, club_ids=[None, setup[0].pk], by=world.admin
            )
        assert exc.value.messages == ["请按顺序填写志愿：前一个志愿为空时不能填写后面的志愿。"]
        assert ClubChoice.objects.count() == 0

    def test_club_not_for_the_grade_refused(self, world, term, setup):
        small = make_club(term, name="绘本阅读", grades=(1, 2))
        with pytest.raises(ValidationError) as exc:
            choice.club_choices_save(
                student=world.child_x, term=term, club_ids=[small.pk], by=world.admin
            )
        assert exc.value.messages == ["绘本阅读 只面向一年级至二年级，张小明 所在年级不能选。"]
        assert ClubChoice.objects.count() == 0

    def test_other_terms_club_refused(self, world, term, setup):
        other_term = f.make_term(world.school, 2025)
        foreign = make_club(other_term, name="别的学期")
        with pytest.raises(ValidationError) as exc:
            choice.club_choices_save(
                student=world.child_x, term=term, club_ids=[foreign.pk], by=world.admin
            )
        assert exc.value.messages == ["所选社团不属于本学期。"]

    @pytest.mark.parametrize(
        "kwargs", [{"status": Status.SUBMITTED}, {"featured": False}], ids=["unapproved", "no-day"]
    )
    def test_not_enrolled_refused(self, world, term, setup, kwargs):
        child = f.make_student(world.class_a, "王小二")
        enroll(child, term, **kwargs)
        with pytest.raises(ValidationError) as exc:
            choice.club_choices_save(
                student=child, term=term, club_ids=[setup[0].pk], by=world.admin
            )
        assert exc.value.messages == ["王小二 尚未获批参加本学期特色课后服务日，不能选社团。"]
        assert ClubChoice.objects.count() == 0

    def test_deleted_club_keeps_the_choice_marked(self, client, world, term, setup):
        choice.club_choices_save(
            student=world.child_x, term=term, club_ids=ids(setup[:2]), by=world.admin
        )
        setup[0].delete()
        kept = ClubChoice.objects.get(student=world.child_x, rank=1)
        assert kept.club is None and kept.club_name == "社团0"
        client.force_login(world.guardian_x.user)
        html = client.get(reverse("scheduling:club-choose", args=[world.child_x.pk])).content
        assert "您填报的第1志愿 社团0 已被学校取消，该志愿不参加分配，请重新选择。" in html.decode()

    def test_grade_change_keeps_the_choice_marked(self, client, world, term, setup):
        choice.club_choices_save(
            student=world.child_x, term=term, club_ids=ids(setup[:1]), by=world.admin
        )
        setup[0].min_grade = 5
        setup[0].save()
        client.force_login(world.guardian_x.user)
        html = client.get(reverse("scheduling:club-choose", args=[world.child_x.pk])).content
        assert "您填报的第1志愿 社团0 已不再面向孩子所在年级" in html.decode()
        assert ClubChoice.objects.filter(student=world.child_x).count() == 1


class TestChoosePage:
    def url(self, world):
        return reverse("scheduling:club-choose", args=[world.child_x.pk])

    def test_guardian_sees_eligibility_and_saves(self, client, world, term, setup):
        open_window(term)
        make_club(term, name="只收一年级", grades=(1, 1))
        client.force_login(world.guardian_x.user)
        response = client.get(self.url(world))
        html = response.content.decode()
        assert "社团选课开放中" in html
        assert "社团0" in html and "只收一年级" not in html
        assert "名额 30 人 · 第一志愿 0 人 · 共 0 人填报" in html
        response = client.post(
            self.url(world), {"rank1": setup[1].pk, "rank2": setup[0].pk, "rank3": ""}
        )
        assert response.status_code == 302
        assert saved(world.child_x, term) == [setup[1].pk, setup[0].pk]
        html = client.get(self.url(world)).content.decode()
        assert "已保存 张小明 的社团志愿：社团1、社团0。" in html

    def test_error_shown_on_the_form_and_nothing_written(self, client, world, term, setup):
        open_window(term)
        client.force_login(world.guardian_x.user)
        response = client.post(self.url(world), {"rank1": setup[1].pk, "rank2": setup[1].pk})
        assert response.status_code == 200
        assert "同一个社团不能重复填报。" in response.content.decode()
        assert ClubChoice.objects.count() == 0

    def test_closed_window_hides_the_form(self, client, world, term, setup):
        client.force_login(world.guardian_x.user)
        html = client.get(self.url(world)).content.decode()
        assert "学校尚未安排本学期的社团选课时间。" in html
        assert 'id="choice-form"' not in html

    def test_child_not_taking_the_featured_day_sees_why_not_a_form(
        self, client, world, term, setup
    ):
        open_window(term)
        Application.objects.filter(student=world.child_x, term=term).update(status=Status.RETURNED)
        client.force_login(world.guardian_x.user)
        html = client.get(self.url(world)).content.decode()
        assert "张小明 尚未获批参加本学期特色课后服务日，不能选社团。" in html
        assert 'id="choice-form"' not in html and "社团选课开放中" not in html

    def test_double_submit_leaves_one_set(self, client, world, term, setup):
        open_window(term)
        client.force_login(world.guardian_x.user)
        data = {"rank1": setup[0].pk, "rank2": setup[2].pk}
        client.post(self.url(world), data)
        client.post(self.url(world), data)
        assert saved(world.child_x, term) == [setup[0].pk, setup[2].pk]

    @pytest.mark.parametrize("n_clubs", [2, 12])
    def test_query_count(self, client, world, term, setup, django_assert_num_queries, n_clubs):
        open_window(term)
        for i in range(n_clubs - len(setup) if n_clubs > len(setup) else 0):
            make_club(term, name=f"更多{i}")
        choice.club_choices_save(
            student=world.child_x, term=term, club_ids=ids(setup[:2]), by=world.admin
        )
        client.force_login(world.guardian_x.user)
        # 1 session, 2 user+school, 3 the child (access), 4 terms, 5 windows,
        # 6 the child's enrolment, 7 clubs with demand, 8 the child's
        # choices, 9 published run.
        with django_assert_num_queries(9):
            response = client.get(self.url(world))
        assert response.status_code == 200


class TestChoicePageLayout:
    def test_choice_boxes_first_cards_folded(self, client, world, term, setup):
        open_window(term)
        client.force_login(world.guardian_x.user)
        html = client.get(reverse("scheduling:club-choose", args=[world.child_x.pk])).text
        assert html.index('id="choice-form"') < html.index('id="club-cards"')
        assert '<details class="club-cards mb-3" id="club-cards">' in html  # folded
        assert f'action="?term={term.pk}"' in html

    def test_a_window_after_publication_says_the_result_stands(self, client, world, term, setup):
        open_window(term)
        client.force_login(world.guardian_x.user)
        url = reverse("scheduling:club-choose", args=[world.child_x.pk])
        assert 'id="after-publication"' not in client.get(url).text
        AllocationRun.objects.create(
            term=term, seed=1, objective="-", tie_range=1, published_at=timezone.now()
        )
        html = client.get(url).text
        assert 'id="after-publication"' in html and "不会改变已公布的结果" in html
        assert 'id="choice-form"' in html

    def test_result_names_the_rank_it_had_and_has_after_reranking(self, client, world, term, setup):
        open_window(term)
        client.force_login(world.guardian_x.user)
        url = reverse("scheduling:club-choose", args=[world.child_x.pk])
        client.post(url, {"rank1": setup[0].pk, "rank2": setup[1].pk, "rank3": setup[2].pk})
        choice.allocation_publish(run=choice.allocation_run(term=term, seed=1, by=world.admin))
        html = client.get(url).text
        assert "分配结果：社团0" in html and "（第1志愿）" in html
        # Re-ranked: the result stands, and says which rank it was and is.
        client.post(url, {"rank1": setup[1].pk, "rank2": setup[2].pk, "rank3": setup[0].pk})
        html = client.get(url).text
        assert "分配结果：社团0" in html and "（第1志愿）" not in html
        assert "（分配时为第1志愿，现为第3志愿）" in html
        client.post(url, {"rank1": setup[1].pk, "rank2": "", "rank3": ""})
        assert "（分配时为第1志愿，现已不在志愿中）" in client.get(url).text

    def test_cards_open_when_choosing_is_closed(self, client, world, term, setup):
        client.force_login(world.guardian_x.user)
        html = client.get(reverse("scheduling:club-choose", args=[world.child_x.pk])).text
        assert 'id="choice-form"' not in html
        assert '<details class="club-cards mb-3" id="club-cards" open>' in html


def data_statements(captured) -> list[str]:
    """The statements' verbs, transaction control (BEGIN and COMMIT, which SQLite's
    backend sends and psycopg sends by itself, SAVEPOINT) left out."""
    verbs = [q["sql"].split(None, 1)[0].upper() for q in captured.captured_queries]
    return [v for v in verbs if v not in {"BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"}]


@pytest.mark.django_db(transaction=True)
class TestSubmissionQueries:
    """The POST a thousand guardians send when a window opens: at most six
    SQL statements (a transactional test, so no test-only savepoints: the
    statements production runs, inside one transaction)."""

    @pytest.mark.parametrize("n_clubs", [4, 20])
    def test_first_and_changed_submission(self, client, world, term, setup, n_clubs):
        for i in range(n_clubs - len(setup)):
            make_club(term, name=f"更多{i}")
        open_window(term, scope=WindowScope.CLASS, school_class=world.class_a)
        open_window(term)
        client.force_login(world.guardian_x.user)
        url = reverse("scheduling:club-choose", args=[world.child_x.pk]) + f"?term={term.pk}"
        # 1 session, 2 user, 3 the child's enrolled application locked (access
        # rule, window, "old choices?" in the same query), 4 the clubs, 5 the
        # old choices deleted (always: a submission that waited for the lock
        # on PostgreSQL must not trust its first read), 6 insert.
        with CaptureQueriesContext(connection) as first:
            response = client.post(url, {"rank1": setup[0].pk, "rank2": setup[2].pk})
        assert data_statements(first) == [
            "SELECT",
            "SELECT",
            "SELECT",
            "SELECT",
            "DELETE",
            "INSERT",
        ]
        assert response.status_code == 302
        assert saved(world.child_x, term) == [setup[0].pk, setup[2].pk]
        # Changed: 5 the old choices deleted, 6 insert.
        with CaptureQueriesContext(connection) as changed:
            client.post(url, {"rank1": setup[3].pk, "rank2": setup[0].pk, "rank3": setup[1].pk})
        assert data_statements(changed) == [
            "SELECT",
            "SELECT",
            "SELECT",
            "SELECT",
            "DELETE",
            "INSERT",
        ]
        assert saved(world.child_x, term) == [setup[3].pk, setup[0].pk, setup[1].pk]

    def test_fast_path_keeps_the_rules(self, client, world, term, setup):
        window = open_window(term)
        client.force_login(world.guardian_y.user)
        other = reverse("scheduling:club-choose", args=[world.child_x.pk]) + f"?term={term.pk}"
        assert client.post(other, {"rank1": setup[0].pk}).status_code == 404
        client.force_login(world.guardian_x.user)
        url = reverse("scheduling:club-choose", args=[world.child_x.pk]) + f"?term={term.pk}"
        twice = client.post(url, {"rank1": setup[0].pk, "rank2": setup[0].pk})
        assert twice.status_code == 200 and "同一个社团不能重复填报。" in twice.text
        window.closes_at = timezone.now() - datetime.timedelta(minutes=1)
        window.save()
        closed = client.post(url, {"rank1": setup[0].pk})
        assert closed.status_code == 200 and "社团选课已于" in closed.text
        assert saved(world.child_x, term) == []

    def test_sql_window_agrees_with_window_for(self, world, term):
        now = timezone.now()
        day = datetime.timedelta(days=1)
        ChoiceWindow.objects.create(
            term=term, scope=WindowScope.SCHOOL, opens_at=now - day, closes_at=now + day
        )
        grade = ChoiceWindow.objects.create(
            term=term, scope=WindowScope.GRADE, grade=3, opens_at=now + day, closes_at=now + 2 * day
        )
        enroll(world.child_x, term)
        app = choice.with_choice_context(choice.enrolled_applications(term)).get()
        assert choice.window_for(student=world.child_x, term=term) == grade
        assert (app.choice_window_opens, app.choice_window_closes) == (
            grade.opens_at,
            grade.closes_at,
        )

    def test_sql_window_prefers_class_then_grade_then_school(self, world, term):
        # The SQL orders windows by their scope's name: class < grade < school.
        assert sorted(WindowScope.values) == [
            WindowScope.CLASS,
            WindowScope.GRADE,
            WindowScope.SCHOOL,
        ]
        now = timezone.now()
        enroll(world.child_x, term)
        made = []
        for scope, extra in (
            (WindowScope.SCHOOL, {}),
            (WindowScope.GRADE, {"grade": world.class_a.grade}),
            (WindowScope.CLASS, {"school_class": world.class_a}),
        ):
            start = now + datetime.timedelta(hours=len(made))
            made.append(
                ChoiceWindow.objects.create(
                    term=term,
                    scope=scope,
                    opens_at=start,
                    closes_at=start + datetime.timedelta(hours=1),
                    **extra,
                )
            )
            app = choice.with_choice_context(choice.enrolled_applications(term)).get()
            assert app.choice_window_opens == made[-1].opens_at, scope
            assert choice.window_for(student=world.child_x, term=term) == made[-1]

    def test_a_past_terms_windows_follow_the_class_of_its_year(self, world, term):
        now = timezone.now()

        def window(minutes, **scope):
            return ChoiceWindow.objects.create(
                term=term,
                opens_at=now - datetime.timedelta(days=1, minutes=minutes),
                closes_at=now + datetime.timedelta(days=1),
                **scope,
            )

        grade3 = window(1, scope=WindowScope.GRADE, grade=3)
        grade4 = window(2, scope=WindowScope.GRADE, grade=4)
        class_b = window(3, scope=WindowScope.CLASS, school_class=world.class_b)
        club = make_club(term, grades=(3, 3))
        enroll(world.child_x, term)
        enroll(world.child_y, term)
        school_year_rollover(school=world.school, from_year=term.school_year, by=world.admin)
        world.child_x.refresh_from_db()
        assert world.child_x.school_class.grade == 4  # the pointer moved on

        # The term's windows still go by 三年级 and 三年级（2）班 of its year.
        assert choice.window_for(student=world.child_x, term=term) == grade3
        assert choice.window_for(student=world.child_y, term=term) == class_b
        opens = {
            a.student_id: a.choice_window_opens
            for a in choice.with_choice_context(choice.enrolled_applications(term))
        }
        assert opens == {world.child_x.pk: grade3.opens_at, world.child_y.pk: class_b.opens_at}
        assert set(choice.window_students(grade3)) == {world.child_x.pk, world.child_y.pk}
        assert set(choice.window_students(class_b)) == {world.child_y.pk}
        assert set(choice.window_students(grade4)) == set()
        # A 三年级 club is still open to the child in that term.
        page = choice_page(student=world.child_x, term=term)
        assert page.status.window == grade3 and page.status.is_open
        assert [c.pk for c in page.clubs] == [club.pk]
        choice.club_choices_save(
            student=world.child_x, term=term, club_ids=[club.pk], by=world.admin
        )
        assert saved(world.child_x, term) == [club.pk]


class TestPermissions:
    """Every new URL tried with the wrong personas."""

    def test_choose_page(self, client, world, term, setup):
        url = reverse("scheduling:club-choose", args=[world.child_x.pk])
        for user in (world.guardian_y.user, world.homeroom_a, world.teacher, world.other_admin):
            client.force_login(user)
            assert client.get(url).status_code == 404, user
            assert client.post(url, {"rank1": setup[0].pk}).status_code == 404, user
        assert ClubChoice.objects.count() == 0
        client.force_login(world.admin)
        assert client.get(url).status_code == 200

    def test_choose_index_is_for_guardians(self, client, world, term):
        url = reverse("scheduling:club-choose-index")
        client.force_login(world.teacher)
        assert client.get(url).status_code == 404
        client.force_login(world.guardian_x.user)
        assert client.get(url).status_code == 302

    def test_windows_pages(self, client, world, term):
        window = open_window(term)
        urls = [
            reverse("scheduling:choice-windows"),
            reverse("scheduling:choice-window-edit", args=[window.pk]),
        ]
        for user in (world.guardian_x.user, world.homeroom_a, world.teacher):
            client.force_login(user)
            for url in urls:
                assert client.get(url).status_code == 403
            assert (
                client.post(
                    reverse("scheduling:choice-window-delete", args=[window.pk])
                ).status_code
                == 403
            )
        f.make_term(world.other_school, 2024)
        client.force_login(world.other_admin)
        assert client.get(urls[1]).status_code == 404
        assert (
            client.post(reverse("scheduling:choice-window-delete", args=[window.pk])).status_code
            == 404
        )
        assert ChoiceWindow.objects.filter(pk=window.pk).exists()

    def test_admin_adds_a_class_window(self, client, world, term):
        client.force_login(world.admin)
        response = client.post(
            reverse("scheduling:choice-windows") + f"?term={term.pk}",
            {
                "scope": "class",
                "school_class": world.class_b.pk,
                "opens_at": "2024-09-03T08:00",
                "closes_at": "2024-09-06T20:00",
            },
        )
        assert response.status_code == 302
        w = ChoiceWindow.objects.get()
        assert w.school_class == world.class_b and w.grade is None
        assert timezone.localtime(w.opens_at).hour == 8


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite locks the whole database, so SELECT … FOR UPDATE "
    "and two writing threads cannot be tested there",
)
@pytest.mark.django_db(transaction=True)
class TestConcurrentSubmissions:
    def test_two_threads_neither_lose_nor_duplicate(self, world, term):
        clubs = [make_club(term, name=f"并发{i}") for i in range(6)]
        enroll(world.child_x, term)
        open_window(term)
        barrier = threading.Barrier(2)
        errors: list[Exception] = []
        sets = {"a": [clubs[0].pk, clubs[1].pk, clubs[2].pk], "b": [clubs[3].pk, clubs[4].pk]}

        def submit(key):
            try:
                barrier.wait()
                for _ in range(10):
                    choice.club_choices_save(
                        student=world.child_x, term=term, club_ids=sets[key], by=world.admin
                    )
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=submit, args=(k,)) for k in sets]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        final = saved(world.child_x, term)
        # Exactly one whole submission survives: no mix, no duplicates.
        assert final in (sets["a"], sets["b"])

    def test_many_families_at_once_all_kept(self, world, term):
        clubs = [make_club(term, name=f"并发{i}") for i in range(3)]
        children = [f.make_student(world.class_a, f"学生{i}") for i in range(8)]
        for child in children:
            enroll(child, term)
        open_window(term)
        errors: list[Exception] = []

        def submit(child):
            try:
                choice.club_choices_save(
                    student=child, term=term, club_ids=[c.pk for c in clubs], by=world.admin
                )
            except Exception as exc:  # pragma: no cover
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=submit, args=(c,)) for c in children]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert ClubChoice.objects.filter(term=term).count() == 3 * len(children)


class TestAdminListQueries:
    @pytest.mark.parametrize("grades", [1, 6])
    def test_windows_page(self, client, world, term, django_assert_num_queries, grades):
        now = timezone.now()
        for g in range(1, grades + 1):
            ChoiceWindow.objects.create(
                term=term,
                scope=WindowScope.GRADE,
                grade=g,
                opens_at=now,
                closes_at=now + datetime.timedelta(days=1),
            )
        client.force_login(world.admin)
        # 1 session, 2 user+school, 3 terms, 4 windows with class, 5 classes
        # for the form's select.
        with django_assert_num_queries(5):
            response = client.get(reverse("scheduling:choice-windows"))
        assert len(response.context["windows"]) == grades

    @pytest.mark.parametrize("runs", [1, 5])
    def test_allocation_page(self, client, world, term, django_assert_num_queries, runs):
        make_club(term, name="足球")
        for seed in range(runs):
            choice.allocation_run(term=term, seed=seed, by=world.admin)
        client.force_login(world.admin)
        # 1 session, 2 user+school, 3 terms, 4 runs with their author,
        # 5 published run.
        with django_assert_num_queries(5):
            response = client.get(reverse("scheduling:allocation"))
        assert len(response.context["runs"]) == runs
