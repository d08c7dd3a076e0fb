"""Enrollment pages for each role: they render, forms re-show errors, the
actions go through, and list pages make the same number of queries at 5 and
50 applications."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from afterschool.models import Guardianship
from afterschool.rollover.services import school_year_rollover
from billing.models import Waiver
from enrollment.agreements.services import agreement_sign
from enrollment.applications.services import application_submit, enrollment_settings_save
from enrollment.models import (
    Agreement,
    AgreementTemplate,
    Application,
    OptOut,
    Status,
    SurveyResponse,
    WaiverStatus,
)
from enrollment.review.services import (
    application_approve_homeroom,
    application_return,
    class_submit_to_school,
    school_approve_class,
)
from enrollment.surveys.services import survey_answer, survey_open
from enrollment.waivers.selectors import waivers_for_school
from overview.todo import selectors as todo
from tests import factories as f
from tests.enrollment.conftest import complete_data


def login(client, user):
    client.force_login(user)
    return client


def add_child(guardian, student):
    """A sibling: the same guardian (and login) for a second child."""
    Guardianship.objects.create(student=student, guardian=guardian, relation="父亲")


def form_post(**overrides):
    """The application form as the browser posts it (checkboxes: 'on' or absent)."""
    data = complete_data(**overrides)
    return {k: ("on" if v is True else v) for k, v in data.items() if v is not False}


def fill_class(school_class, term, n, *, status=Status.SUBMITTED, admin=None):
    """``n`` students in the class with paper applications in ``status``,
    every third asking for a waiver and every fourth in a priority group."""
    teacher = school_class.homeroom_teacher
    apps = []
    for i in range(n):
        student = f.make_student(school_class, f"学生{i:02d}", is_left_behind=(i % 4 == 0))
        data = complete_data()
        if i % 3 == 0:
            data.update(waiver_requested=True, waiver_reason="家庭困难")
        app = application_submit(student=student, term=term, data=data, by=teacher, on_paper=True)
        if status != Status.SUBMITTED:
            app = application_approve_homeroom(application=app, by=teacher)
        apps.append(app)
    if status in {Status.SUBMITTED_TO_SCHOOL, Status.APPROVED}:
        sub = class_submit_to_school(school_class=school_class, term=term, by=teacher)
        if status == Status.APPROVED:
            school_approve_class(submission=sub, by=admin)
    return apps


class TestGuardianPages:
    def test_family_page_shows_each_child_with_own_action(self, client, world, term):
        sibling = f.make_student(world.class_b, "张小丽", gender="F")
        add_child(world.guardian_x, sibling)
        application_submit(
            student=world.child_x, term=term, data=complete_data(), by=world.guardian_x.user
        )
        html = login(client, world.guardian_x.user).get(reverse("enrollment:family")).text

        assert "张小明" in html and "张小丽" in html
        assert reverse("enrollment:application-edit", args=[sibling.pk]) in html
        assert reverse("enrollment:opt-out", args=[sibling.pk]) in html
        assert "已提交，待班主任审核" in html

    def test_family_page_query_count_does_not_grow_with_children(
        self, client, world, term, django_assert_num_queries
    ):
        survey_open(term=term, by=world.admin)
        login(client, world.guardian_x.user)
        url = reverse("enrollment:family")
        # session, user, children, term of the school, applications (+agreement,
        # waiver joined), opt-outs, surveys, re-apply settings, survey responses
        with django_assert_num_queries(9):
            client.get(url)
        for i in range(3):
            kid = f.make_student(world.class_b, f"张{i}")
            add_child(world.guardian_x, kid)
            application_submit(
                student=kid, term=term, data=complete_data(), by=world.guardian_x.user
            )
        with django_assert_num_queries(9):
            response = client.get(url)
        assert response.text.count('class="card mb-3"') == 4

    def test_application_form_has_empty_reason_and_saves_draft(self, client, world, term):
        login(client, world.guardian_x.user)
        url = reverse("enrollment:application-edit", args=[world.child_x.pk])
        page = client.get(url).text
        assert 'name="reason"' in page and "父母下班晚" not in page

        response = client.post(url, {"action": "save", "wants_noon": "on", "reason": ""})

        assert response.status_code == 302
        app = Application.objects.get()
        assert app.status == Status.DRAFT and app.wants_noon

    def test_submit_with_missing_fields_reshows_the_form_with_errors(self, client, world, term):
        login(client, world.guardian_x.user)
        url = reverse("enrollment:application-edit", args=[world.child_x.pk])

        response = client.post(
            url, {"action": "submit", **form_post(reason="", health_notes="花生过敏")}
        )

        assert response.status_code == 200
        assert "请用自己的话写明申请理由。" in response.text
        assert "花生过敏" in response.text  # what the user typed is kept
        assert not Application.objects.exists()

    def test_submit_twice_leaves_one_application(self, client, world, term):
        login(client, world.guardian_x.user)
        url = reverse("enrollment:application-edit", args=[world.child_x.pk])
        first = client.post(url, {"action": "submit", **form_post()})
        second = client.post(url, {"action": "submit", **form_post()})
        app = Application.objects.get()
        assert first.status_code == second.status_code == 302
        assert app.status == Status.SUBMITTED and app.events.count() == 1

    def test_returned_application_shows_reason_and_resubmits(self, client, world, term, to_status):
        to_status(Status.RETURNED)
        login(client, world.guardian_x.user)
        url = reverse("enrollment:application-edit", args=[world.child_x.pk])
        assert "请补充健康状况" in client.get(url).text

        client.post(url, {"action": "submit", **form_post(health_notes="身体健康")})

        app = Application.objects.get()
        assert app.status == Status.SUBMITTED and app.health_notes == "身体健康"

    def test_mobile_is_normalised(self, client, world, term):
        login(client, world.guardian_x.user)
        url = reverse("enrollment:application-edit", args=[world.child_x.pk])
        client.post(url, {"action": "submit", **form_post(pickup_mobile="+86 139-0000-0001")})
        assert Application.objects.get().pickup_mobile == "13900000001"

    def test_bad_mobile_is_refused_in_chinese(self, client, world, term):
        login(client, world.guardian_x.user)
        url = reverse("enrollment:application-edit", args=[world.child_x.pk])
        response = client.post(url, {"action": "submit", **form_post(pickup_mobile="12345")})
        assert "请输入11位中国大陆手机号。" in response.text
        assert not Application.objects.exists()

    def test_opt_out_declaration_and_revoke(self, client, world, term):
        login(client, world.guardian_x.user)
        url = reverse("enrollment:opt-out", args=[world.child_x.pk])
        assert "17:20" in client.get(url).text

        client.post(url, {"action": "declare"})
        opt = OptOut.objects.get()
        assert opt.declared_by == world.guardian_x.user and opt.revoked_at is None

        client.post(url, {"action": "revoke"})
        opt.refresh_from_db()
        assert opt.revoked_at is not None

    def test_survey_answer(self, client, world, term):
        survey_open(term=term, by=world.admin)
        login(client, world.guardian_x.user)
        url = reverse("enrollment:survey-answer", args=[world.child_x.pk])
        client.post(url, {"answer": "join", "wants_after_school": "on"})
        response = SurveyResponse.objects.get()
        assert response.answer == "join" and response.wants_after_school
        assert not response.on_paper

    def test_sign_agreement_page_and_signing(self, client, world, term, to_status):
        app = to_status(Status.APPROVED)
        login(client, world.guardian_x.user)
        url = reverse("enrollment:agreement-sign", args=[app.pk])
        page = client.get(url).text
        assert "甲方：实验小学" in page and "4.60" in page

        bad = client.post(url, {"signed_name": "张三", "consent": "on"})
        assert "签名须与学校登记的家长姓名一致" in bad.text
        assert not Agreement.objects.exists()

        client.post(url, {"signed_name": "张伟", "consent": "on"}, REMOTE_ADDR="10.1.2.3")
        agreement = Agreement.objects.get()
        assert agreement.ip == "10.1.2.3" and agreement.signed_name == "张伟"
        detail = client.get(reverse("enrollment:agreement-detail", args=[app.pk])).text
        assert "在线签署" in detail and "张小明" in detail

    def test_withdrawn_family_offered_reapply_only_when_the_term_allows(
        self, client, world, term, to_status
    ):
        to_status(Status.WITHDRAWN)
        login(client, world.guardian_x.user)
        edit = reverse("enrollment:application-edit", args=[world.child_x.pk])
        assert "重新申请" not in client.get(reverse("enrollment:family")).text
        assert client.get(edit).status_code == 302

        enrollment_settings_save(term=term, allow_reapply=True, by=world.admin)

        assert "重新申请" in client.get(reverse("enrollment:family")).text
        assert client.get(edit).status_code == 200

    def test_withdraw_in_writing(self, client, world, term, to_status):
        app = to_status(Status.APPROVED)
        login(client, world.guardian_x.user)
        url = reverse("enrollment:application-withdraw", args=[app.pk])
        assert "退出说明" in client.post(url, {"reason": ""}).text
        client.post(url, {"reason": "家里老人可以接送"})
        app.refresh_from_db()
        assert app.status == Status.WITHDRAWN and app.last_reason == "家里老人可以接送"


class TestApplicationDetail:
    def test_query_count_does_not_grow_with_history(
        self, client, world, term, to_status, django_assert_num_queries
    ):
        app = to_status(Status.SUBMITTED)
        login(client, world.homeroom_a)
        url = reverse("enrollment:application-detail", args=[app.pk])
        # session, user, application (student, class, school, term, waiver,
        # submission joined), agreement, events (user joined)
        with django_assert_num_queries(5):
            client.get(url)
        for _ in range(5):
            application_return(application=app, by=world.homeroom_a, reason="再改改")
            application_submit(
                student=world.child_x, term=term, data=complete_data(), by=world.guardian_x.user
            )
        with django_assert_num_queries(5):
            html = client.get(url).text
        assert html.count("再改改") == 5

    def test_timeline_shows_every_step(self, client, world, term, to_status):
        app = to_status(Status.APPROVED)
        html = (
            login(client, world.guardian_x.user)
            .get(reverse("enrollment:application-detail", args=[app.pk]))
            .text
        )
        for label in ["已提交，待班主任审核", "班主任已审核", "已上报学校", "学校已批准"]:
            assert label in html
        assert "李老师" in html and "王校长" in html
        assert reverse("enrollment:agreement-sign", args=[app.pk]) in html


class TestHomeroomPages:
    def test_review_table_shows_status_badges_waiver_and_filters(self, client, world, term):
        fill_class(world.class_a, term, 3)
        login(client, world.homeroom_a)
        url = reverse("enrollment:class-review", args=[world.class_a.pk])
        html = client.get(url).text
        assert "学生00" in html and "留守儿童" in html and "张小明" in html  # missing list
        filtered = client.get(url, {"waiver_requested": "true"}).text
        assert "学生00" in filtered and "学生01" not in filtered
        by_name = client.get(url, {"sort": "-student"}).text
        assert by_name.index("学生02") < by_name.index("学生00")

    def test_review_page_query_count_same_at_5_and_50(
        self, client, world, term, django_assert_num_queries
    ):
        login(client, world.homeroom_a)
        url = reverse("enrollment:class-review", args=[world.class_a.pk])
        # session, user, class (access), term, applications (student
        # joined), students without an application (with their opt-outs),
        # the class submission (the counts above the table come from the rows)
        fill_class(world.class_a, term, 5)
        with django_assert_num_queries(7):
            client.get(url)
        fill_class(world.class_a, term, 45)
        with django_assert_num_queries(7):
            response = client.get(url)
        assert response.text.count('name="select"') == 50

    def test_bulk_approve_and_submit_class(self, client, world, term):
        apps = fill_class(world.class_a, term, 3)
        login(client, world.homeroom_a)
        client.post(
            reverse("enrollment:class-bulk-approve", args=[world.class_a.pk]),
            {"select": [a.pk for a in apps]},
        )
        assert set(Application.objects.values_list("status", flat=True)) == {
            Status.APPROVED_BY_HOMEROOM
        }
        client.post(reverse("enrollment:class-submit", args=[world.class_a.pk]))
        assert set(Application.objects.values_list("status", flat=True)) == {
            Status.SUBMITTED_TO_SCHOOL
        }

    def test_return_with_reason(self, client, world, term, to_status):
        app = to_status(Status.SUBMITTED)
        login(client, world.homeroom_a)
        url = reverse("enrollment:application-return", args=[app.pk])
        assert "理由" in client.post(url, {"reason": ""}).text
        client.post(url, {"reason": "请填写紧急联系人"})
        app.refresh_from_db()
        assert app.status == Status.RETURNED and app.last_reason == "请填写紧急联系人"

    def test_return_after_class_submission_shows_the_rule(self, client, world, term, to_status):
        app = to_status(Status.SUBMITTED_TO_SCHOOL)
        login(client, world.homeroom_a)
        response = client.post(
            reverse("enrollment:application-return", args=[app.pk]), {"reason": "补材料"}
        )
        assert response.status_code == 200
        assert "已提交学校审核的申请不能退回给家长，请由学校退回。" in response.text
        app.refresh_from_db()
        assert app.status == Status.SUBMITTED_TO_SCHOOL

    def test_paper_application_entry(self, client, world, term):
        login(client, world.homeroom_a)
        url = reverse("enrollment:paper-application", args=[world.class_a.pk, world.child_x.pk])
        assert "代家长录入纸质申请" in client.get(url).text
        client.post(url, {"action": "submit", **form_post()})
        app = Application.objects.get()
        assert app.on_paper and app.status == Status.SUBMITTED

    def test_survey_answers_and_paper_answer(self, client, world, term, django_assert_num_queries):
        survey = survey_open(term=term, by=world.admin)
        login(client, world.homeroom_a)
        url = reverse("enrollment:class-survey", args=[world.class_a.pk])
        client.post(url, {"student": world.child_x.pk, "answer": "decline"})
        response = SurveyResponse.objects.get(survey=survey)
        assert response.on_paper and response.recorded_by == world.homeroom_a

        # session, user, class, term, survey, students, their responses
        # (prefetch, recorder joined), students for the form's choices
        with django_assert_num_queries(8):
            client.get(url)
        for i in range(45):
            kid = f.make_student(world.class_a, f"学生{i:02d}")
            survey_answer(
                survey=survey, student=kid, answer="join", wants_noon=True, by=world.homeroom_a
            )
        with django_assert_num_queries(8):
            html = client.get(url).text
        assert "参加 45 人，不参加 1 人" in html


class TestAdminPages:
    def test_open_survey_and_figures(self, client, world, term, django_assert_num_queries):
        login(client, world.admin)
        client.post(reverse("enrollment:survey-open"))
        survey = term.survey
        url = reverse("enrollment:survey-figures", args=[survey.pk])
        # session, user, survey (access), figures (one aggregate query)
        with django_assert_num_queries(4):
            client.get(url)
        for i in range(50):
            kid = f.make_student(world.class_b, f"学生{i:02d}", is_migrant_child=i % 2 == 0)
            survey_answer(
                survey=survey, student=kid, answer="join", wants_noon=True, by=world.homeroom_b
            )
        with django_assert_num_queries(4):
            html = client.get(url).text
        assert "三年级（2）班" in html and "50 (25)" in html

    def test_submission_page_query_count_and_approve_all(
        self, client, world, term, django_assert_num_queries
    ):
        fill_class(world.class_a, term, 5, status=Status.SUBMITTED_TO_SCHOOL)
        submission = world.class_a.submissions.get()
        login(client, world.admin)
        url = reverse("enrollment:submission-detail", args=[submission.pk])
        # session, user, submission (class, term joined), applications (joined)
        with django_assert_num_queries(4):
            client.get(url)
        fill_class(world.class_a, term, 45, status=Status.SUBMITTED_TO_SCHOOL)
        with django_assert_num_queries(4):
            assert "全部批准（50 份）" in client.get(url).text
        client.post(reverse("enrollment:submission-approve", args=[submission.pk]))
        assert Application.objects.filter(status=Status.APPROVED).count() == 50
        # Nothing left to approve: no button, a sentence saying so.
        html = client.get(url).text
        assert 'id="nothing-waits"' in html and "全部批准" not in html

    def test_submissions_list(self, client, world, term):
        fill_class(world.class_a, term, 2, status=Status.SUBMITTED_TO_SCHOOL)
        html = login(client, world.admin).get(reverse("enrollment:submissions")).text
        assert "三年级（1）班" in html and "李老师" in html

    def test_waiver_list_keeps_the_terms_classes_after_the_rollover(self, world, term):
        fill_class(world.class_a, term, 3)  # 1 waiver
        school_year_rollover(school=world.school, from_year=term.school_year, by=world.admin)
        (waiver,) = waivers_for_school(school_id=world.school.pk, term=term)
        assert waiver.application.student.school_class.grade == world.class_a.grade + 1
        assert waiver.year_class_name == world.class_a.display_name

    def test_waiver_list_query_count_and_decision(
        self, client, world, term, django_assert_num_queries
    ):
        login(client, world.admin)
        url = reverse("enrollment:waivers")
        fill_class(world.class_a, term, 15)  # 5 waivers
        # session, user, term, waiver requests (application, student, class joined)
        with django_assert_num_queries(4):
            client.get(url)
        fill_class(world.class_b, term, 135)  # 45 more
        with django_assert_num_queries(4):
            html = client.get(url).text
        assert html.count("家庭困难") == 50
        waiver = Application.objects.filter(waiver_requested=True).first().waiver
        decide = reverse("enrollment:waiver-decide", args=[waiver.pk])
        declined = client.post(decide, {"decision": "decline"}).text
        # Next to the reason box, not above the form.
        assert 'id="error_1_id_reason"><strong>不予减免时必须填写理由。' in declined
        client.post(
            decide, {"decision": "approve", "reason": "已核实", "effective_from": "2024-09-09"}
        )
        waiver.refresh_from_db()
        assert waiver.status == WaiverStatus.APPROVED
        # The application is not school-approved yet: no billing waiver, and
        # the list says the waiver takes effect (and counts for the county's
        # 减免人数（已生效）) once the school approves it.
        assert waiver.application.status != Status.APPROVED
        assert not Waiver.objects.exists()
        html = client.get(url).text
        assert html.count("报名尚未经学校批准，批准后减免生效") == 1
        assert "县级统计的“减免人数（已生效）”" in html

    def test_waiver_decision_form_shows_the_effective_date_and_needs_a_reason(
        self, client, world, term
    ):
        import datetime

        import time_machine

        with time_machine.travel(datetime.datetime(2024, 10, 8, 9, tzinfo=datetime.UTC)):
            fill_class(world.class_a, term, 3)  # one waiver request, asked on 8 October
        waiver = Application.objects.filter(waiver_requested=True).get().waiver
        login(client, world.admin)
        decide = reverse("enrollment:waiver-decide", args=[waiver.pk])
        page = client.get(decide).text
        assert 'name="effective_from"' in page and 'value="2024-10-08"' in page
        assert "此日期之前的服务照常收费" in page and "申请日期：2024年10月8日" in page
        refused = client.post(decide, {"decision": "approve", "effective_from": "2024-10-08"})
        assert "同意减免时必须填写审核意见" in refused.text
        waiver.refresh_from_db()
        assert waiver.status == WaiverStatus.PENDING
        done = client.post(
            decide,
            {"decision": "approve", "reason": "低保证已核实", "effective_from": "2024-10-15"},
        )
        assert done.status_code == 302
        waiver.refresh_from_db()
        assert (waiver.status, waiver.effective_from) == (
            WaiverStatus.APPROVED,
            datetime.date(2024, 10, 15),
        )
        listing = client.get(reverse("enrollment:waivers")).text
        assert "自 2024年10月15日 起" in listing
        # Changing the decision later starts from what was decided.
        again = client.get(decide).text
        assert 'value="2024-10-15"' in again and "低保证已核实" in again

    def test_terminate(self, client, world, term, to_status):
        app = to_status(Status.APPROVED)
        login(client, world.admin)
        client.post(
            reverse("enrollment:application-terminate", args=[app.pk]), {"reason": "多次擅自离校"}
        )
        app.refresh_from_db()
        assert app.status == Status.TERMINATED

    def test_template_editor_preview_and_new_version(self, client, world, term, to_status):
        to_status(Status.SUBMITTED)
        login(client, world.admin)
        url = reverse("enrollment:agreement-template")
        page = client.get(url).text
        assert "张小明" in page  # preview with a sample application
        body = AgreementTemplate.objects.get().body
        preview = client.post(url, {"action": "preview", "body": body + "\n预览新增"}).text
        assert "预览新增" in preview and AgreementTemplate.objects.count() == 1
        bad = client.post(url, {"action": "save", "body": "{% if %}"}).text
        assert "第1行" in bad and "写法有误" in bad and AgreementTemplate.objects.count() == 1
        client.post(url, {"action": "save", "body": body + "\n新条款"})
        assert AgreementTemplate.objects.count() == 2

    def test_enrollment_setting_saved(self, client, world, term):
        login(client, world.admin)
        client.post(reverse("enrollment:surveys"), {"allow_reapply": "on"})
        assert term.enrollment_settings.allow_reapply_after_withdrawal

    def test_paper_agreement(self, client, world, term, to_status):
        app = to_status(Status.APPROVED)
        login(client, world.homeroom_a)
        client.post(reverse("enrollment:agreement-paper", args=[app.pk]))
        assert Agreement.objects.get().paper_received_by == world.homeroom_a


@pytest.mark.parametrize(
    "name", ["enrollment:surveys", "enrollment:submissions", "enrollment:waivers"]
)
def test_admin_pages_without_term_explain(client, world, name):
    html = login(client, world.admin).get(reverse(name)).text
    assert "尚未设置学期" in html


class TestTermSchoolYearPages:
    """The class pages of a term list and open only its school year's classes."""

    @pytest.fixture
    def next_year_class(self, world):
        new = f.make_class(world.school, 3, 1, world.homeroom_a, start_year=2025)
        f.make_student(new, "新学年学生")
        return new

    def test_class_list_leaves_out_other_years(self, client, world, term, next_year_class):
        html = login(client, world.admin).get(reverse("enrollment:class-list")).text
        assert reverse("enrollment:class-review", args=[world.class_a.pk]) in html
        assert reverse("enrollment:class-review", args=[next_year_class.pk]) not in html

    def test_other_years_class_pages_are_not_found(self, client, world, term, next_year_class):
        login(client, world.homeroom_a)
        student = next_year_class.students.get()
        for url in (
            reverse("enrollment:class-review", args=[next_year_class.pk]),
            reverse("enrollment:class-survey", args=[next_year_class.pk]),
            reverse("enrollment:paper-application", args=[next_year_class.pk, student.pk]),
        ):
            assert client.get(url).status_code == 404, url
        assert not Application.objects.filter(student=student).exists()


class TestClassListSubmissionMarks:
    """The admin's 尚未上报名单的班级 to-do lands on a list that says which."""

    def test_each_class_says_where_its_list_is(self, client, world, term):
        fill_class(world.class_a, term, 2, status=Status.APPROVED, admin=world.admin)
        third = f.make_class(world.school, 4, 1, world.homeroom_b)
        fill_class(third, term, 1, status=Status.SUBMITTED_TO_SCHOOL)
        html = login(client, world.admin).get(reverse("enrollment:class-list")).text
        marks = re.findall(
            r'<strong class="me-auto">(.*?)\s*<span[^>]*data-submission="(\w+)"', html
        )
        assert marks == [
            (world.class_a.display_name, "approved"),
            (world.class_b.display_name, "none"),
            (third.display_name, "submitted"),
        ]

    def test_todo_link_shows_only_the_classes_it_names(self, client, world, term):
        fill_class(world.class_a, term, 1, status=Status.SUBMITTED_TO_SCHOOL)
        (item,) = [t for t in todo.admin_todos(user=world.admin) if t.key == "not_submitted"]
        assert item.names == [world.class_b.display_name]
        html = login(client, world.admin).get(item.url).text
        assert "data-only-unsubmitted" in html
        assert reverse("enrollment:class-review", args=[world.class_b.pk]) in html
        assert reverse("enrollment:class-review", args=[world.class_a.pk]) not in html
        fill_class(world.class_b, term, 1, status=Status.SUBMITTED_TO_SCHOOL)
        assert "各班名单都已上报" in client.get(item.url).text


class TestSignedAgreementShown:
    """After signing, the guardian's and staff pages say so, with the time in
    the history timeline (办理记录)."""

    def test_signed_shows_badge_and_timeline_entry(self, client, world, term, to_status):
        app = to_status(Status.APPROVED)
        agreement = agreement_sign(
            application=app, by=world.guardian_x.user, signed_name="张伟", consent=True, ip=None
        )
        when = timezone.localtime(agreement.signed_at).strftime("%Y年%-m月%-d日 %H:%M")
        url = reverse("enrollment:application-detail", args=[app.pk])
        for user in (world.guardian_x.user, world.homeroom_a, world.admin):
            html = login(client, user).get(url).text
            assert 'data-agreement="signed">已签协议' in html, user
            entry = html.split('data-event="agreement-signed"')[1].split("</li>")[0]
            assert when in entry and "张伟" in entry
        html = login(client, world.guardian_x.user).get(reverse("enrollment:family")).text
        assert 'data-agreement="signed">已签协议' in html

    def test_unsigned_shows_no_agreement_badge(self, client, world, term, to_status):
        app = to_status(Status.APPROVED)
        url = reverse("enrollment:application-detail", args=[app.pk])
        html = login(client, world.guardian_x.user).get(url).text
        assert "data-agreement=" not in html
        assert 'data-event="agreement-signed"' not in html


class TestAgreementTemplateUnknownPlaceholder:
    def test_preview_shows_the_chinese_message_and_keeps_the_text(self, client, world):
        response = login(client, world.admin).post(
            reverse("enrollment:agreement-template"),
            {"body": "甲方：{{ shcool_name }}", "action": "preview"},
        )
        html = response.text
        assert "未知的占位符：{{ shcool_name }}" in html
        assert "甲方：{{ shcool_name }}" in html
        assert not AgreementTemplate.objects.filter(body__contains="shcool").exists()


class TestReviewTableNames:
    def test_student_names_do_not_wrap(self, client, world, term, to_status):
        app = to_status(Status.SUBMITTED)
        html = (
            login(client, world.homeroom_a)
            .get(reverse("enrollment:class-review", args=[world.class_a.pk]))
            .text
        )
        url = reverse("enrollment:application-detail", args=[app.pk])
        assert f'<td class="col-name text-nowrap"><a href="{url}">{app.student.name}</a>' in html


class TestEnrollmentStartPage:
    @pytest.mark.parametrize(
        ("persona", "target"),
        [("homeroom_a", "enrollment:class-list"), ("admin", "enrollment:surveys")],
    )
    def test_staff_are_sent_to_their_start_page(self, client, world, term, persona, target):
        response = login(client, getattr(world, persona)).get(reverse("enrollment:family"))
        assert response.status_code == 302
        assert response["Location"] == reverse(target)
        assert client.get(response["Location"]).status_code == 200


class TestApproveNext:
    """``next`` after approving goes only to this site (afterschool.redirects)."""

    @pytest.mark.parametrize(
        "wanted",
        [
            "https://evil.example/",
            "//evil.example/x",
            "javascript:alert(1)",
            "http://testserver.evil/",
        ],
    )
    def test_foreign_next_falls_back_to_the_application(self, client, world, to_status, wanted):
        app = to_status(Status.SUBMITTED)
        client.force_login(world.homeroom_a)
        url = reverse("enrollment:application-approve", args=[app.pk])
        response = client.post(url, {"next": wanted})
        assert response.status_code == 302
        assert response.url == reverse("enrollment:application-detail", args=[app.pk])

    def test_own_next_is_followed(self, client, world, to_status):
        app = to_status(Status.SUBMITTED)
        client.force_login(world.homeroom_a)
        back = reverse("enrollment:class-review", args=[world.class_a.pk]) + "?status=x"
        response = client.post(
            reverse("enrollment:application-approve", args=[app.pk]), {"next": back}
        )
        assert response.url == back
