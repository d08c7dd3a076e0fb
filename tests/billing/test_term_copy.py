"""The next term from the last: times, featured day, fee standard and clubs
copied (changeable in the preview); applications and agreements start fresh."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from afterschool.models import Term
from billing.models import FeePolicy
from billing.policy.services import fee_policy_save
from billing.terms.services import term_next_from_last
from enrollment.models import Application
from scheduling.models import Club, TermSchedule
from tests import factories as f
from tests.billing.conftest import enrol
from tests.scheduling.club_helpers import make_club

D = datetime.date
SPRING = {"name": "2025年春季学期", "first_day": D(2025, 2, 17), "last_day": D(2025, 6, 27)}


@pytest.fixture
def autumn(world, term):
    term.participant_dismissal = datetime.time(18, 0)
    term.save(update_fields=["participant_dismissal"])
    TermSchedule.objects.create(term=term, featured_weekday=2)
    fee_policy_save(term=term, data={"rate_per_period": Decimal("2.00")}, by=world.admin)
    make_club(term, name="合唱团", teacher=world.teacher)
    make_club(term, name="书法社")
    enrol(world.child_x, term, by=world.admin)
    return term


@pytest.mark.django_db
class TestTermNextFromLast:
    def test_everything_is_copied_and_applications_start_fresh(self, world, autumn):
        made = term_next_from_last(source=autumn, by=world.admin, **SPRING)
        new = made.term
        assert (new.school_year, new.participant_dismissal) == (
            autumn.school_year,
            datetime.time(18, 0),
        )
        assert new.schedule.featured_weekday == 2
        assert made.policy.rate_per_period == Decimal("2.00")
        copied = {c.name: c for c in Club.objects.filter(term=new)}
        old = {c.name: c for c in Club.objects.filter(term=autumn)}
        assert sorted(copied) == ["书法社", "合唱团"]
        assert (copied["合唱团"].teacher, copied["合唱团"].room) == (
            old["合唱团"].teacher,
            old["合唱团"].room,
        )
        assert not Application.objects.filter(term=new).exists()
        assert Application.objects.filter(term=autumn).count() == 1

    def test_the_previews_changes_are_applied(self, world, autumn):
        chorus = Club.objects.get(term=autumn, name="合唱团")
        made = term_next_from_last(
            source=autumn,
            by=world.admin,
            times={"participant_dismissal": datetime.time(18, 10)},
            schedule={"featured_weekday": 4},
            policy={"rate_per_period": Decimal("2.20")},
            club_ids=[chorus.pk],
            **SPRING,
        )
        assert made.term.participant_dismissal == datetime.time(18, 10)
        assert made.term.schedule.featured_weekday == 4
        assert made.policy.rate_per_period == Decimal("2.20")
        assert list(Club.objects.filter(term=made.term).values_list("name", flat=True)) == [
            "合唱团"
        ]

    def test_a_rate_above_the_cap_writes_nothing(self, world, autumn):
        with pytest.raises(ValidationError):
            term_next_from_last(
                source=autumn, by=world.admin, policy={"rate_per_period": Decimal("3.00")}, **SPRING
            )
        assert not Term.objects.filter(name="2025年春季学期").exists()
        assert FeePolicy.objects.count() == 1

    def test_a_name_in_use_is_refused(self, world, autumn):
        with pytest.raises(ValidationError, match="已有同名学期"):
            term_next_from_last(source=autumn, by=world.admin, **{**SPRING, "name": autumn.name})

    def test_only_the_schools_admin(self, world, autumn):
        for who in (world.homeroom_a, world.other_admin):
            with pytest.raises(ValidationError, match="只有本校管理员"):
                term_next_from_last(source=autumn, by=who, **SPRING)
        assert Term.objects.filter(school=world.school).count() == 1


def _post_data(autumn, **overrides):
    data = {
        **{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in SPRING.items()},
        "participant_arrival": "13:00",
        "participant_dismissal": "18:00",
        "nonparticipant_arrival": "13:55",
        "nonparticipant_dismissal": "17:20",
        "featured_weekday": "2",
        "rate_per_period": "2.00",
        "periods_per_day": "2",
        "clubs": list(Club.objects.filter(term=autumn).values_list("pk", flat=True)),
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestTermNewPage:
    def test_the_preview_shows_the_copied_values_and_saving_creates_the_term(self, world, autumn):
        client = Client()
        client.force_login(world.admin)
        page = client.get(reverse("billing:term-new")).content.decode()
        assert "2025年春季学期" in page and "合唱团" in page and "第 1 版" in page
        response = client.post(reverse("billing:term-new"), _post_data(autumn))
        assert response.status_code == 302
        assert Club.objects.filter(term__name="2025年春季学期").count() == 2

    def test_a_bad_rate_is_shown_on_the_form_and_nothing_is_written(self, world, autumn):
        client = Client()
        client.force_login(world.admin)
        response = client.post(
            reverse("billing:term-new"), _post_data(autumn, rate_per_period="9.00")
        )
        assert response.status_code == 200
        assert "2.30" in response.content.decode()
        assert not Term.objects.filter(name="2025年春季学期").exists()

    @pytest.mark.parametrize("who", ["homeroom_a", "teacher", "volunteer"])
    def test_staff_who_are_not_admins_get_403(self, world, autumn, who):
        client = Client()
        client.force_login(getattr(world, who))
        assert client.get(reverse("billing:term-new")).status_code == 403
        assert client.post(reverse("billing:term-new"), _post_data(autumn)).status_code == 403
        assert not Term.objects.filter(name="2025年春季学期").exists()

    def test_another_schools_admin_cannot_copy_this_schools_term(self, world, autumn):
        client = Client()
        client.force_login(world.other_admin)
        url = reverse("billing:term-new") + f"?term={autumn.pk}"
        assert client.get(url).status_code == 404
        assert client.post(url, _post_data(autumn)).status_code == 404
        assert not Term.objects.filter(name="2025年春季学期").exists()

    def test_a_guardian_gets_403(self, world, autumn):
        client = Client()
        client.force_login(world.guardian_x.user)
        assert client.get(reverse("billing:term-new")).status_code == 403


@pytest.mark.django_db
class TestProposal:
    def test_spring_is_followed_by_autumn_of_the_next_school_year(self, world, autumn):
        spring = term_next_from_last(source=autumn, by=world.admin, **SPRING).term
        client = Client()
        client.force_login(world.admin)
        page = client.get(reverse("billing:term-new") + f"?term={spring.pk}").content.decode()
        # The proposal: 2025年秋季学期 from Monday 1 September 2025.
        assert "2025年秋季学期" in page and "2025-09-01" in page
        data = _post_data(
            spring, name="2025年秋季学期", first_day="2025-09-01", last_day="2026-01-16"
        )
        response = client.post(reverse("billing:term-new") + f"?term={spring.pk}", data)
        assert response.status_code == 302
        made = Term.objects.get(name="2025年秋季学期")
        assert made.school_year.start_year == 2025

    def test_a_term_across_two_school_years_is_refused_on_the_form(self, world, autumn):
        client = Client()
        client.force_login(world.admin)
        data = _post_data(autumn, first_day="2025-06-02", last_day="2025-09-30")
        response = client.post(reverse("billing:term-new"), data)
        assert "学期不能跨越两个学年。" in response.content.decode()
        assert not Term.objects.filter(name="2025年春季学期").exists()


# ---------------------------------------------------------------- supervisors

MON, TUE = 0, 1


@pytest.fixture
def rota_autumn(world, autumn):
    """The autumn term run: both classes enrolled at noon and after school,
    the teacher every Monday noon with class A and the volunteer every
    Tuesday after school with class B (the admin's weekly choices), the rest
    of the rota balanced by the generator."""
    from scheduling.rota.services import rota_generate, sessions_assign_weekly, sessions_generate

    enrol(world.child_y, autumn, by=world.admin)
    sessions_generate(term=autumn)
    sessions_assign_weekly(
        term=autumn,
        school_class=world.class_a,
        weekday=MON,
        period="noon",
        supervisor=world.teacher,
    )
    sessions_assign_weekly(
        term=autumn,
        school_class=world.class_b,
        weekday=TUE,
        period="after",
        supervisor=world.volunteer,
    )
    rota_generate(term=autumn)
    return autumn


def _pattern(term) -> set[tuple]:
    from scheduling.models import WeeklySupervisor

    return set(
        WeeklySupervisor.objects.filter(term=term).values_list(
            "school_class_id", "weekday", "period", "supervisor_id"
        )
    )


@pytest.mark.django_db
class TestSupervisorsCopied:
    def test_the_weekly_pattern_of_the_last_term_is_copied(self, world, rota_autumn):
        from scheduling.rota.selectors import rota_pattern

        pattern = rota_pattern(rota_autumn)
        made = term_next_from_last(source=rota_autumn, by=world.admin, **SPRING)
        copied = _pattern(made.term)
        assert (world.class_a.pk, MON, "noon", world.teacher.pk) in copied
        assert (world.class_b.pk, TUE, "after", world.volunteer.pk) in copied
        # Every slot the autumn rota had (two classes × two periods on the
        # four weekdays, Wednesday's featured after-school slot aside).
        assert len(copied) == len(pattern) == made.supervisors.copied == 2 * 2 * 5 - 2
        # One person per weekly slot.
        slots = [(w, p, person) for _c, w, p, person in copied]
        assert len(slots) == len(set(slots))

    def test_only_the_slots_left_ticked_are_copied(self, world, rota_autumn):
        key = f"{world.class_a.pk}-{MON}-noon"
        made = term_next_from_last(
            source=rota_autumn, by=world.admin, supervisor_keys=[key], **SPRING
        )
        assert _pattern(made.term) == {(world.class_a.pk, MON, "noon", world.teacher.pk)}

    def test_the_new_terms_rota_gives_the_copied_slots_their_person(self, world, rota_autumn):
        from scheduling.models import Session
        from scheduling.rota.services import rota_generate, sessions_generate, unavailability_add

        spring = term_next_from_last(source=rota_autumn, by=world.admin, **SPRING).term
        enrol(world.child_x, spring, by=world.admin)
        enrol(world.child_y, spring, by=world.admin)
        away = D(2025, 3, 3)  # a Monday: the teacher cannot stay
        unavailability_add(person=world.teacher, date=away)
        sessions_generate(term=spring)
        report = rota_generate(term=spring)
        mondays = Session.objects.filter(
            term=spring, school_class=world.class_a, weekday=MON, period="noon"
        )
        assert mondays.count() > 10
        assert set(mondays.exclude(date=away).values_list("supervisor_id", flat=True)) == {
            world.teacher.pk
        }
        assert mondays.get(date=away).supervisor_id not in (None, world.teacher.pk)
        assert not mondays.filter(is_manual=True).exists()
        tuesdays = Session.objects.filter(
            term=spring, school_class=world.class_b, weekday=TUE, period="after"
        )
        assert set(tuesdays.values_list("supervisor_id", flat=True)) == {world.volunteer.pk}
        assert report.from_pattern == Session.objects.filter(term=spring).count() - 1
        assert report.unassigned == []

    def test_into_the_next_school_year_the_supervisors_follow_the_promoted_class(
        self, world, rota_autumn
    ):
        from afterschool.rollover.services import school_year_rollover

        spring = term_next_from_last(source=rota_autumn, by=world.admin, **SPRING).term
        autumn_2025 = {
            "name": "2025年秋季学期",
            "first_day": D(2025, 9, 1),
            "last_day": D(2026, 1, 16),
        }
        # Not rolled over yet: the new year has no classes to take them.
        before = term_next_from_last(source=spring, by=world.admin, **autumn_2025)
        assert before.supervisors.copied == 0
        assert before.supervisors.not_placed == 2 * 2 * 5 - 2
        before.term.delete()
        year = school_year_rollover(
            school=world.school, from_year=rota_autumn.school_year, by=world.admin
        ).school_year
        after = term_next_from_last(source=spring, by=world.admin, **autumn_2025)
        four_1 = year.classes.get(grade=4, number=1)
        assert (four_1.pk, MON, "noon", world.teacher.pk) in _pattern(after.term)
        assert after.supervisors.not_placed == 0

    def test_an_inactive_person_is_not_taken_over(self, world, rota_autumn):
        world.teacher.is_active = False
        world.teacher.save(update_fields=["is_active"])
        made = term_next_from_last(source=rota_autumn, by=world.admin, **SPRING)
        assert world.teacher.pk not in {p for *_rest, p in _pattern(made.term)}


@pytest.mark.django_db
class TestSupervisorsPreview:
    def test_the_preview_shows_the_pattern_ticked_and_saving_copies_the_ticked(
        self, world, rota_autumn
    ):
        client = Client()
        client.force_login(world.admin)
        page = client.get(reverse("billing:term-new")).content.decode()
        grid = page.split('id="supervisor-pattern"', 1)[1].split("</section>", 1)[0]
        key = f"{world.class_a.pk}-{MON}-noon"
        assert f'value="{key}" checked' in grid and "钱老师" in grid and "孙阿姨" in grid
        assert "周一 中午" in grid and "三年级（1）班" in grid
        response = client.post(
            reverse("billing:term-new"), _post_data(rota_autumn, supervisors=[key])
        )
        assert response.status_code == 302
        spring = Term.objects.get(name="2025年春季学期")
        assert _pattern(spring) == {(world.class_a.pk, MON, "noon", world.teacher.pk)}

    def test_a_spring_preview_names_the_classes_they_go_with(self, world, rota_autumn):
        from afterschool.rollover.services import school_year_rollover

        spring = term_next_from_last(source=rota_autumn, by=world.admin, **SPRING).term
        client = Client()
        client.force_login(world.admin)
        url = reverse("billing:term-new") + f"?term={spring.pk}"
        grid = client.get(url).content.decode().split('id="supervisor-pattern"', 1)[1]
        assert "新学年无对应班级" in grid and " disabled" in grid
        school_year_rollover(school=world.school, from_year=spring.school_year, by=world.admin)
        grid = client.get(url).content.decode().split('id="supervisor-pattern"', 1)[1]
        assert "→ 四年级（1）班" in grid and "新学年无对应班级" not in grid

    def test_no_rota_yet_says_so(self, world, autumn):
        client = Client()
        client.force_login(world.admin)
        page = client.get(reverse("billing:term-new")).content.decode()
        assert "上学期还没有看班安排。" in page


@pytest.mark.django_db
def test_the_preview_makes_the_same_queries_for_a_larger_pattern(world, rota_autumn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scheduling.rota.services import rota_generate, sessions_generate

    client = Client()
    client.force_login(world.admin)
    url = reverse("billing:term-new")
    client.get(url)  # the first visit makes the agreement template's version 1
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for number in (3, 4):
        klass = f.make_class(world.school, 3, number)
        enrol(f.make_student(klass, f"学生{number}"), rota_autumn, by=world.admin)
    sessions_generate(term=rota_autumn)
    rota_generate(term=rota_autumn)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url).content.decode()
    assert "三年级（4）班" in page.split('id="supervisor-pattern"', 1)[1]
    assert len(large.captured_queries) == len(small.captured_queries)
