"""The rota as a week grid (class × day and period) with clashes marked, and
bulk assignment: "this teacher, every Tuesday noon" for a class."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from afterschool.models import Role
from scheduling.models import Period, Session, StaffUnavailability
from scheduling.rota import selectors
from scheduling.rota.services import rota_generate, sessions_assign_weekly, sessions_generate
from tests import factories as f
from tests.scheduling.club_helpers import enroll_every_class

pytestmark = pytest.mark.django_db
TUESDAY = 1
MONDAY = datetime.date(2024, 9, 9)


@pytest.fixture
def built(world, term):
    sessions_generate(term=enroll_every_class(term))
    rota_generate(term=term)
    return term


@pytest.fixture
def volunteer(world):
    return f.make_user(world.school, Role.VOLUNTEER, "vol_grid", name="周志愿")


class TestWeeklyAssign:
    def test_every_tuesday_noon_of_the_class_goes_to_the_person(self, world, built, volunteer):
        report = sessions_assign_weekly(
            term=built,
            school_class=world.class_a,
            weekday=TUESDAY,
            period=Period.NOON,
            supervisor=volunteer,
        )
        tuesdays = Session.objects.filter(
            term=built, school_class=world.class_a, weekday=TUESDAY, period=Period.NOON
        )
        assert report.assigned == tuesdays.count() > 10
        assert report.refused == []
        assert set(tuesdays.values_list("supervisor_id", "is_manual")) == {(volunteer.pk, True)}
        # Other days and periods are untouched.
        assert not Session.objects.filter(supervisor=volunteer).exclude(weekday=TUESDAY).exists()
        # Regenerating the rota keeps the manual assignments.
        rota_generate(term=built)
        assert set(tuesdays.values_list("supervisor_id", flat=True)) == {volunteer.pk}

    def test_clashing_sessions_are_left_and_named(self, world, built, volunteer):
        sessions_assign_weekly(
            term=built,
            school_class=world.class_a,
            weekday=TUESDAY,
            period=Period.NOON,
            supervisor=volunteer,
        )
        report = sessions_assign_weekly(
            term=built,
            school_class=world.class_b,
            weekday=TUESDAY,
            period=Period.NOON,
            supervisor=volunteer,
            from_date=datetime.date(2024, 10, 1),
        )
        assert report.assigned == 0 and report.refused
        assert all("已安排看班" in reason for _s, reason in report.refused)
        assert all(s.date >= datetime.date(2024, 10, 1) for s, _r in report.refused)

    def test_another_schools_person_is_refused_and_nothing_written(self, world, built):
        outsider = f.make_user(world.other_school, Role.TEACHER, "out_grid")
        with pytest.raises(ValidationError):
            sessions_assign_weekly(
                term=built,
                school_class=world.class_a,
                weekday=TUESDAY,
                period=Period.NOON,
                supervisor=outsider,
            )
        assert not Session.objects.filter(supervisor=outsider).exists()


class TestGrid:
    def test_grid_has_a_row_per_class_and_marks_an_unavailable_supervisor(
        self, world, built, volunteer
    ):
        week = selectors.rota_sessions(built, MONDAY)
        one = next(s for s in week if s.date == MONDAY and s.period == Period.NOON)
        Session.objects.filter(pk=one.pk).update(supervisor=volunteer)
        StaffUnavailability.objects.create(person=volunteer, date=MONDAY, reason="外出培训")
        grid = selectors.rota_week_grid(built, selectors.rota_sessions(built, MONDAY))
        assert len(grid.columns) >= 10  # school days (a make-up Saturday too) × two periods
        assert {k for k, _cells in grid.rows} >= {world.class_a, world.class_b}
        clashing = [c for _k, cells in grid.rows for c in cells if c.clash]
        assert [c.session.pk for c in clashing] == [one.pk]
        assert clashing[0].clash == "不能值班"
        assert grid.clashes == 1


class TestPage:
    def test_admin_sees_the_grid_and_bulk_assigns(self, client, world, built, volunteer):
        client.force_login(world.admin)
        html = client.get(reverse("scheduling:rota") + "?week=2024-09-09").content.decode()
        assert 'id="week-grid"' in html and "按周批量安排" in html
        response = client.post(
            reverse("scheduling:rota-assign-weekly"),
            {
                "term": built.pk,
                "week": "2024-09-09",
                "supervisor": volunteer.pk,
                "school_class": world.class_a.pk,
                "weekday": TUESDAY,
                "period": Period.NOON,
            },
            follow=True,
        )
        assert "已安排 周志愿 看班" in response.content.decode()
        assert Session.objects.filter(supervisor=volunteer, weekday=TUESDAY).count() > 10

    def test_bad_input_is_a_chinese_message_and_writes_nothing(self, client, world, built):
        client.force_login(world.admin)
        response = client.post(
            reverse("scheduling:rota-assign-weekly"),
            {"term": built.pk, "supervisor": "x", "school_class": world.class_a.pk},
            follow=True,
        )
        assert response.status_code == 200
        assert "选择一个有效的选项" in response.content.decode() or "这个字段是必填项" in (
            response.content.decode()
        )
        assert not Session.objects.filter(is_manual=True).exists()

    @pytest.mark.parametrize("who", ["homeroom_a", "guardian", "other_admin"])
    def test_wrong_persona_cannot_bulk_assign(self, client, world, built, volunteer, who):
        user = world.guardian_x.user if who == "guardian" else getattr(world, who)
        client.force_login(user)
        response = client.post(
            reverse("scheduling:rota-assign-weekly"),
            {
                "term": built.pk,
                "supervisor": volunteer.pk,
                "school_class": world.class_a.pk,
                "weekday": TUESDAY,
                "period": Period.NOON,
            },
        )
        assert response.status_code in (403, 404)
        assert not Session.objects.filter(supervisor=volunteer).exists()


class TestDayTable:
    def test_each_row_selects_its_supervisor_and_marks_manual_ones(
        self, client, world, built, volunteer
    ):
        week = selectors.rota_sessions(built, MONDAY)
        mine = next(s for s in week if s.date == MONDAY and s.period == Period.NOON)
        Session.objects.filter(pk=mine.pk).update(supervisor=volunteer, is_manual=True)
        client.force_login(world.admin)
        html = client.get(
            reverse("scheduling:rota") + f"?week={MONDAY}&day={MONDAY}"
        ).content.decode()
        action = reverse("scheduling:session-assign", args=[mine.pk])
        form = html[html.index(f'action="{action}"') :]
        form = form[: form.index("</form>")]
        assert f'<option value="{volunteer.pk}" selected>周志愿</option>' in form
        assert form.count(" selected>") == 1
        assert "手动" in form
        assert 'name="csrfmiddlewaretoken"' in form
        prefix = action.rsplit("/", 2)[0] + "/"
        assert html.count(f'action="{prefix}') == len([s for s in week if s.date == MONDAY])
