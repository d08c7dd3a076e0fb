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
