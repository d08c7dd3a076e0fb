"""A new term's application may start from the child's last one: the
arrangements are offered (periods, featured day, going home, pick-up,
emergency contact), the guardian sees what is taken over and can change it;
the reason and other text in the family's own words are never pre-filled."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from afterschool.models import Term
from enrollment.applications.selectors import application_starting_point
from enrollment.applications.services import application_save_draft, application_submit
from enrollment.models import Application, Status
from tests.enrollment.conftest import complete_data
from tests.enrollment.test_views import form_post, login

# Before the spring term starts: it is the term the family pages work on.
FEBRUARY = datetime.datetime(2025, 2, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

LAST_TERM = complete_data(
    wants_noon=False,
    wants_featured_day=True,
    pickup_name="张奶奶",
    pickup_relation="祖母",
    pickup_mobile="13900000002",
    health_notes="花生过敏",
    reason="父母在外地打工，奶奶年纪大了接送不便。",
    waiver_requested=True,
    waiver_reason="父亲失业，家里困难。",
)


@pytest.fixture
def spring(world, term):
    """Spring 2025 after ``term`` (autumn 2024), same school year."""
    return Term.objects.create(
        school=world.school,
        school_year=term.school_year,
        name="2025年春季学期",
        first_day=datetime.date(2025, 2, 17),
        last_day=datetime.date(2025, 6, 27),
    )


@pytest.fixture
def last_application(world, term):
    return application_submit(
        student=world.child_x, term=term, data=LAST_TERM, by=world.guardian_x.user
    )


@pytest.fixture(autouse=True)
def _february():
    with time_machine.travel(FEBRUARY, tick=False):
        yield


def _url(world) -> str:
    return reverse("enrollment:application-edit", args=[world.child_x.pk])


@pytest.mark.django_db
class TestStartingPointSelector:
    def test_the_latest_earlier_application_and_only_its_arrangements(
        self, world, term, spring, last_application
    ):
        start = application_starting_point(student=world.child_x, term=spring)
        assert start.application == last_application
        assert start.initial == {
            "wants_noon": False,
            "wants_after_school": True,
            "wants_featured_day": True,
            "goes_home_alone": False,
            "pickup_name": "张奶奶",
            "pickup_relation": "祖母",
            "pickup_mobile": "13900000002",
            "emergency_name": "王芳",
            "emergency_mobile": "13900000009",
        }
        for own_words in ("reason", "health_notes", "waiver_requested", "waiver_reason"):
            assert own_words not in start.initial
        assert start.taken_over == [
            ("服务时段", "下午放学后时段、特色课后服务日（社团）"),
            ("接送人", "张奶奶（祖母） 13900000002"),
            ("紧急联系人", "王芳 13900000009"),
        ]

    def test_a_draft_a_later_term_and_another_child_are_not_starting_points(
        self, world, term, spring
    ):
        application_save_draft(
            student=world.child_x, term=term, data=LAST_TERM, by=world.guardian_x.user
        )
        assert application_starting_point(student=world.child_x, term=spring) is None
        # The spring application is no starting point for the autumn before it.
        application_submit(
            student=world.child_y, term=spring, data=complete_data(), by=world.guardian_y.user
        )
        assert application_starting_point(student=world.child_y, term=term) is None
        assert application_starting_point(student=world.child_x, term=spring) is None

    def test_a_withdrawn_application_still_offers_its_arrangements(
        self, world, term, spring, to_status
    ):
        withdrawn = to_status(Status.WITHDRAWN, goes_home_alone=True, pickup_name="")
        start = application_starting_point(student=world.child_x, term=spring)
        assert start.application == withdrawn
        assert ("离校方式", "孩子自行回家") in start.taken_over


@pytest.mark.django_db
class TestStartingPointPage:
    def test_offered_but_not_pre_filled_until_the_guardian_takes_it(
        self, client, world, spring, last_application
    ):
        page = login(client, world.guardian_x.user).get(_url(world)).text
        assert 'id="starting-point"' in page and "2024年秋季学期" in page
        assert "张奶奶（祖母） 13900000002" in page
        assert 'href="?start=last"' in page
        # Nothing taken yet: the pick-up box is empty.
        assert 'value="张奶奶"' not in page

    def test_taking_it_fills_the_arrangements_and_leaves_own_words_empty(
        self, client, world, spring, last_application
    ):
        page = login(client, world.guardian_x.user).get(_url(world) + "?start=last").text
        assert 'id="started-from-last"' in page
        assert "已沿用2024年秋季学期申请中的以下内容" in page
        assert 'value="张奶奶"' in page and 'value="13900000002"' in page
        assert 'value="王芳"' in page
        # The reason, health notes and waiver reason are the family's own words.
        assert "打工" not in page and "花生过敏" not in page and "失业" not in page
        assert "申请理由" in page.split('id="started-from-last"', 1)[1].split("</div>", 1)[0]

    def test_the_guardian_changes_what_was_taken_and_submits(
        self, client, world, term, spring, last_application
    ):
        login(client, world.guardian_x.user)
        response = client.post(
            _url(world) + "?start=last",
            {
                "action": "submit",
                **form_post(
                    wants_featured_day=True,
                    pickup_name="张伟",
                    pickup_relation="父亲",
                    pickup_mobile="13900000001",
                    reason="本学期父母都要加班。",
                ),
            },
        )
        assert response.status_code == 302
        new = Application.objects.get(term=spring)
        assert (new.status, new.pickup_name, new.reason) == (
            Status.SUBMITTED,
            "张伟",
            "本学期父母都要加班。",
        )
        last_application.refresh_from_db()
        assert (last_application.pickup_name, last_application.reason) == (
            "张奶奶",
            LAST_TERM["reason"],
        )

    def test_no_offer_once_the_term_has_an_application(
        self, client, world, spring, last_application
    ):
        application_save_draft(
            student=world.child_x,
            term=spring,
            data={"wants_noon": True},
            by=world.guardian_x.user,
        )
        page = login(client, world.guardian_x.user).get(_url(world) + "?start=last").text
        assert 'id="starting-point"' not in page and 'id="started-from-last"' not in page
        assert 'value="张奶奶"' not in page

    def test_no_offer_without_an_earlier_application(self, client, world, spring):
        page = login(client, world.guardian_x.user).get(_url(world)).text
        assert 'id="starting-point"' not in page

    def test_the_paper_entry_starts_from_the_paper_form(
        self, client, world, spring, last_application
    ):
        url = reverse("enrollment:paper-application", args=[world.class_a.pk, world.child_x.pk])
        page = login(client, world.homeroom_a).get(url + "?start=last").text
        assert 'id="starting-point"' not in page and 'value="张奶奶"' not in page

    def test_another_start_value_is_a_bad_request(self, client, world, spring, last_application):
        response = login(client, world.guardian_x.user).get(_url(world) + "?start=x")
        assert response.status_code == 400

    def test_another_guardian_gets_404(self, client, world, spring, last_application):
        response = login(client, world.guardian_y.user).get(_url(world) + "?start=last")
        assert response.status_code == 404
