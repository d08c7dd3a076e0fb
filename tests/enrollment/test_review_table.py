"""The class review table as the homeroom teacher uses it: waiting
applications first, counts per status, select-all, act on a row and stay on
it (htmx row swap), returning comes back to the row; query counts at two
sizes (one of a big class)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enrollment.applications.services import application_save_draft
from enrollment.models import Application, Status
from enrollment.optouts.services import opt_out_declare
from enrollment.review.services import application_approve_homeroom, application_return
from tests import factories as f
from tests.enrollment.test_views import fill_class, login

pytestmark = pytest.mark.django_db


def review_url(world):
    return reverse("enrollment:class-review", args=[world.class_a.pk])


class TestOrderAndCounts:
    def test_waiting_applications_come_first_by_default(self, client, world, term):
        apps = fill_class(world.class_a, term, 4)
        # 学生00 approved, 学生01 returned: both must sort after the waiting ones.
        application_approve_homeroom(application=apps[0], by=world.homeroom_a)
        application_return(application=apps[1], by=world.homeroom_a, reason="请补充")
        html = login(client, world.homeroom_a).get(review_url(world)).text
        body = html[html.index("<tbody") :]
        assert body.index("学生02") < body.index("学生01") < body.index("学生00")
        assert body.index("学生03") < body.index("学生01")

    def test_counts_per_status_above_the_table(self, client, world, term):
        apps = fill_class(world.class_a, term, 3)
        application_approve_homeroom(application=apps[0], by=world.homeroom_a)
        html = login(client, world.homeroom_a).get(review_url(world)).text
        counts = html[
            html.index('id="review-counts"') : html.index("</p>", html.index('id="review-counts"'))
        ]
        assert "已提交，待班主任审核 <strong>2</strong>" in counts
        assert "班主任已审核 <strong>1</strong>" in counts
        assert counts.index("待班主任审核") < counts.index("班主任已审核")

    def test_a_filtered_table_still_counts_the_whole_class(self, client, world, term):
        # Unfiltered the counts come from the table's rows; filtered to one
        # status the table shows fewer rows but the counts stay the class's.
        apps = fill_class(world.class_a, term, 3)
        application_approve_homeroom(application=apps[0], by=world.homeroom_a)
        login(client, world.homeroom_a)
        for query in ("", "?status=approved_by_homeroom"):
            html = client.get(review_url(world) + query).text
            counts = html[
                html.index('id="review-counts"') : html.index(
                    "</p>", html.index('id="review-counts"')
                )
            ]
            assert "已提交，待班主任审核 <strong>2</strong>" in counts, query
            assert "班主任已审核 <strong>1</strong>" in counts, query
        assert html.count('name="select"') == 0  # only the approved row is listed

    def test_select_all_box_and_its_script(self, client, world, term):
        fill_class(world.class_a, term, 2)
        html = login(client, world.homeroom_a).get(review_url(world)).text
        assert 'data-select-all="select"' in html
        assert "/static/js/review.js" in html and "/static/vendor/htmx/htmx.min.js" in html
        assert "<script>" not in html  # CSP: no inline script

    def test_filters_fold_away_unless_used(self, client, world, term):
        fill_class(world.class_a, term, 2)
        login(client, world.homeroom_a)
        assert '<details class="review-filters mb-2">' in client.get(review_url(world)).text
        used = client.get(review_url(world), {"status": "submitted"}).text
        assert '<details class="review-filters mb-2" open>' in used


class TestStudentsWithoutApplication:
    def missing(self, client, world):
        html = login(client, world.homeroom_a).get(review_url(world)).text
        return html[html.index("尚未提交申请的学生") :]

    def test_listed_in_class_order_with_opt_outs_marked(self, client, world, term):
        fill_class(world.class_a, term, 1)
        late = f.make_student(world.class_a, "王后来", class_number=9)
        early = f.make_student(world.class_a, "赵先到", class_number=2)
        opt_out_declare(student=late, term=term, by=world.homeroom_a, on_paper=True)
        section = self.missing(client, world)
        assert section.index("赵先到") < section.index("王后来")
        assert "学生00" not in section  # applied
        late_item = section[
            section.index("王后来") : section.index("</li>", section.index("王后来"))
        ]
        assert "已放弃申请" in late_item and "录入纸质申请" not in late_item
        early_item = section[
            section.index("赵先到") : section.index("</li>", section.index("赵先到"))
        ]
        assert "已放弃申请" not in early_item
        assert (
            reverse("enrollment:paper-application", args=[world.class_a.pk, early.pk]) in early_item
        )
        assert reverse("enrollment:paper-opt-out", args=[world.class_a.pk, early.pk]) in early_item

    def test_a_draft_still_counts_as_missing(self, client, world, term):
        student = f.make_student(world.class_a, "钱草稿")
        application_save_draft(
            student=student, term=term, data={}, by=world.homeroom_a, on_paper=True
        )
        assert "钱草稿" in self.missing(client, world)


class TestStayOnTheRow:
    def test_htmx_approve_answers_with_the_row_and_the_counts(self, client, world, term):
        app = fill_class(world.class_a, term, 2)[0]
        login(client, world.homeroom_a)
        response = client.post(
            reverse("enrollment:application-approve", args=[app.pk]),
            {"from": "review"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        html = response.text
        assert html.startswith(f'<tr id="app-{app.pk}" ')
        assert "班主任已审核" in html and 'name="select"' not in html.split("</tr>")[0]
        assert 'mb-2" hx-swap-oob="true"' in html  # the counts, out of band
        assert "已审核通过学生00的申请。" in html
        app.refresh_from_db()
        assert app.status == Status.APPROVED_BY_HOMEROOM

    def test_htmx_approve_refused_shows_why_and_keeps_the_row(self, client, world, term):
        app = fill_class(world.class_a, term, 1)[0]
        application_approve_homeroom(application=app, by=world.homeroom_a)
        login(client, world.homeroom_a)
        response = client.post(
            reverse("enrollment:application-approve", args=[app.pk]),
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert 'class="alert alert-danger py-2"' in response.text
        assert response.text.startswith(f'<tr id="app-{app.pk}" ')

    def test_approve_without_script_comes_back_to_the_row(self, client, world, term):
        app = fill_class(world.class_a, term, 2)[1]
        login(client, world.homeroom_a)
        response = client.post(
            reverse("enrollment:application-approve", args=[app.pk]), {"from": "review"}
        )
        assert response.status_code == 302
        assert response["Location"] == review_url(world) + f"#app-{app.pk}"

    def test_return_from_the_table_lands_back_on_the_row(self, client, world, term):
        app = fill_class(world.class_a, term, 2)[0]
        login(client, world.homeroom_a)
        url = reverse("enrollment:application-return", args=[app.pk]) + "?from=review"
        page = client.get(url).text
        assert f'href="{review_url(world)}#app-{app.pk}"' in page  # 取消 goes back too
        response = client.post(url, {"reason": "请补充接送人电话"})
        assert response.status_code == 302
        assert response["Location"] == review_url(world) + f"#app-{app.pk}"
        assert Application.objects.get(pk=app.pk).status == Status.RETURNED

    def test_return_from_elsewhere_goes_to_the_application(self, client, world, term):
        app = fill_class(world.class_a, term, 1)[0]
        login(client, world.homeroom_a)
        response = client.post(
            reverse("enrollment:application-return", args=[app.pk]), {"reason": "请补充"}
        )
        assert response["Location"] == reverse("enrollment:application-detail", args=[app.pk])

    def test_other_class_teacher_cannot_approve_by_htmx(self, client, world, term):
        app = fill_class(world.class_a, term, 1)[0]
        login(client, world.homeroom_b)
        response = client.post(
            reverse("enrollment:application-approve", args=[app.pk]),
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 404
        assert Application.objects.get(pk=app.pk).status == Status.SUBMITTED


class TestQueries:
    @pytest.mark.parametrize("n", [45, 90])
    def test_review_page_fixed_queries_at_45_and_90(
        self, client, world, term, django_assert_num_queries, n
    ):
        fill_class(world.class_a, term, n)
        login(client, world.homeroom_a)
        # session, user, class (access), term, applications (student joined),
        # students without an application (opt-outs in the same query), the
        # class submission; the counts per status come from the rows
        with django_assert_num_queries(7):
            response = client.get(review_url(world))
        assert response.text.count('name="select"') == n

    @pytest.mark.parametrize("n", [2, 45])
    def test_htmx_approve_queries_bounded_whatever_the_class_size(
        self, client, world, term, django_assert_num_queries, n
    ):
        app = fill_class(world.class_a, term, n)[0]
        login(client, world.homeroom_a)
        url = reverse("enrollment:application-approve", args=[app.pk])
        with django_assert_num_queries(14, exact=False):
            client.post(url, headers={"HX-Request": "true"})
