"""Audit trail: every change to an application, its waiver request,
its agreement, an opt-out, an agreement template or a class submission is
kept with who made it and when (django-simple-history); the school admin
reads it on the application page (变更记录), the back office per record."""

from __future__ import annotations

import pytest
from django.urls import reverse

from afterschool.models import User
from enrollment.agreements.services import agreement_sign, agreement_template_save
from enrollment.applications.services import application_submit
from enrollment.models import (
    Agreement,
    AgreementTemplate,
    Application,
    ClassSubmission,
    OptOut,
    Status,
    WaiverRequest,
    WaiverStatus,
)
from enrollment.optouts.services import opt_out_declare, opt_out_revoke
from enrollment.review.services import application_return
from enrollment.waivers.services import waiver_decide
from tests.enrollment.conftest import complete_data


@pytest.fixture
def term(world):
    from tests import factories as f

    return f.make_term(world.school)


@pytest.fixture
def to_status(world, term):
    from tests.enrollment.conftest import drive

    def make(status, student=None, **data):
        student = student or world.child_x
        homeroom = student.school_class.homeroom_teacher
        return drive(student, term, status, homeroom=homeroom, admin=world.admin, **data)

    return make


def detail(client, user, app):
    client.force_login(user)
    return client.get(reverse("enrollment:application-detail", args=[app.pk]))


class TestServicesRecordWhoChangedWhat:
    def test_status_change_is_recorded_with_the_user_and_the_move(self, world, to_status):
        app = to_status(Status.SUBMITTED)
        application_return(application=app, by=world.homeroom_a, reason="请补充健康状况")

        latest = Application.history.filter(id=app.pk).latest()
        assert latest.status == Status.RETURNED
        assert latest.history_user == world.homeroom_a
        assert latest.history_change_reason == (
            "已提交，待班主任审核 → 已退回，待家长修改：请补充健康状况"
        )
        previous = latest.prev_record
        assert previous.status == Status.SUBMITTED
        assert previous.history_user == world.guardian_x.user
        fields = {c.field for c in latest.diff_against(previous).changes}
        assert {"status", "last_reason"} <= fields

    def test_every_step_of_the_journey_has_a_version(self, world, to_status):
        app = to_status(Status.APPROVED)
        versions = list(Application.history.filter(id=app.pk).order_by("history_date", "pk"))
        statuses = [v.status for v in versions]
        # created as a draft, form saved, then one version per status move,
        # and one when the application joins the class's submission
        assert statuses[-5:] == [
            Status.SUBMITTED,
            Status.APPROVED_BY_HOMEROOM,
            Status.SUBMITTED_TO_SCHOOL,
            Status.SUBMITTED_TO_SCHOOL,
            Status.APPROVED,
        ]
        assert versions[-3].class_submission_id is None
        assert versions[-2].class_submission_id == app.class_submission_id
        assert versions[-1].history_user == world.admin
        assert versions[-2].history_user == world.homeroom_a

    def test_waiver_decision_is_recorded_with_the_admin_and_reason(self, world, to_status):
        app = to_status(Status.SUBMITTED, waiver_requested=True, waiver_reason="低保户")
        waiver_decide(waiver=app.waiver, approve=False, by=world.admin, reason="材料不全")

        latest = WaiverRequest.history.filter(id=app.waiver.pk).latest()
        assert latest.status == WaiverStatus.DECLINED
        assert latest.history_user == world.admin
        assert latest.history_change_reason == "材料不全"
        assert WaiverRequest.history.filter(id=app.waiver.pk).count() == 2

    def test_agreement_signature_is_recorded_with_the_guardian(self, world, to_status):
        app = to_status(Status.APPROVED)
        agreement_sign(
            application=app, by=world.guardian_x.user, signed_name="张伟", consent=True, ip=None
        )
        record = Agreement.history.get(application_id=app.pk)
        assert record.history_type == "+"
        assert record.history_user == world.guardian_x.user
        assert record.signed_name == "张伟"

    def test_opt_out_and_its_revocation_are_recorded(self, world, term):
        opt_out = opt_out_declare(student=world.child_x, term=term, by=world.guardian_x.user)
        opt_out_revoke(opt_out=opt_out, by=world.guardian_x.user)
        versions = list(OptOut.history.filter(id=opt_out.pk).order_by("history_date", "pk"))
        assert [v.history_type for v in versions] == ["+", "~"]
        assert {v.history_user for v in versions} == {world.guardian_x.user}
        assert versions[0].revoked_at is None and versions[1].revoked_at is not None

    def test_template_version_and_class_submission_are_recorded(self, world, to_status):
        saved = agreement_template_save(
            school=world.school, body="新协议 {{ student_name }}", by=world.admin
        )
        assert AgreementTemplate.history.get(id=saved.pk).history_user == world.admin
        app = to_status(Status.APPROVED)
        versions = ClassSubmission.history.filter(id=app.class_submission_id)
        # created on submission by the homeroom teacher, approved by the admin
        assert versions.latest().history_user == world.admin
        assert versions.latest().approved_at is not None

    def test_refused_change_records_nothing(self, world, to_status):
        app = to_status(Status.SUBMITTED)
        before = Application.history.count()
        with pytest.raises(Exception, match="理由"):
            application_return(application=app, by=world.homeroom_a, reason="")
        assert Application.history.count() == before


class TestRequestsRecordTheSignedInUser:
    def test_guardian_saving_the_form_is_recorded_as_the_guardian(self, client, world, term):
        client.force_login(world.guardian_x.user)
        url = reverse("enrollment:application-edit", args=[world.child_x.pk])
        response = client.post(url, {**complete_data(), "action": "save"})
        assert response.status_code == 302

        record = Application.history.filter(student_id=world.child_x.pk).latest()
        assert record.history_user == world.guardian_x.user
        assert record.reason == "父母下班晚，无人接送。"

    def test_waiver_row_created_on_submit_is_recorded_with_the_guardian(self, client, world, term):
        # _waiver_sync has no ``by``: the request middleware supplies the user.
        client.force_login(world.guardian_x.user)
        url = reverse("enrollment:application-edit", args=[world.child_x.pk])
        data = {**complete_data(waiver_requested=True, waiver_reason="低保户"), "action": "submit"}
        assert client.post(url, data).status_code == 302
        record = WaiverRequest.history.get()
        assert record.history_type == "+"
        assert record.history_user == world.guardian_x.user

    def test_admin_deciding_a_waiver_through_the_page_is_recorded(self, client, world, to_status):
        app = to_status(Status.SUBMITTED, waiver_requested=True, waiver_reason="低保户")
        client.force_login(world.admin)
        url = reverse("enrollment:waiver-decide", args=[app.waiver.pk])
        data = {"decision": "approve", "reason": "低保证已核实", "effective_from": "2024-09-02"}
        assert client.post(url, data).status_code == 302
        latest = WaiverRequest.history.filter(id=app.waiver.pk).latest()
        assert latest.history_user == world.admin
        assert latest.status == WaiverStatus.APPROVED


class TestChangeHistoryOnTheApplicationPage:
    def test_admin_sees_who_changed_what_and_when(self, client, world, to_status):
        app = to_status(Status.SUBMITTED)
        application_return(application=app, by=world.homeroom_a, reason="请补充健康状况")

        html = detail(client, world.admin, app).content.decode()
        assert "变更记录" in html
        section = html[html.index('id="change-history"') :]
        assert "李老师" in section  # who: the homeroom teacher's name
        assert "已退回，待家长修改：请补充健康状况" in section  # why
        # what: the status field, old → new, in words
        assert "状态：" in section and "已提交，待班主任审核</span> → 已退回，待家长修改" in section
        assert "张伟" in section  # the guardian who created and submitted it

    @pytest.mark.parametrize("persona", ["guardian_x", "homeroom_a"])
    def test_family_and_homeroom_do_not_see_it(self, client, world, to_status, persona):
        app = to_status(Status.SUBMITTED)
        user = world.guardian_x.user if persona == "guardian_x" else world.homeroom_a
        response = detail(client, user, app)
        assert response.status_code == 200
        assert "变更记录" not in response.content.decode()
        assert response.context["change_history"] is None

    def test_other_schools_admin_gets_404(self, client, world, to_status):
        app = to_status(Status.SUBMITTED)
        assert detail(client, world.other_admin, app).status_code == 404

    def test_query_count_does_not_grow_with_history(
        self, client, world, term, to_status, django_assert_num_queries
    ):
        app = to_status(Status.SUBMITTED)
        client.force_login(world.admin)
        url = reverse("enrollment:application-detail", args=[app.pk])
        # session, user, application (joins), agreement, events, then the
        # 变更记录: application, waiver and agreement versions (user joined)
        with django_assert_num_queries(8):
            client.get(url)
        for _ in range(3):
            application_return(application=app, by=world.homeroom_a, reason="再改改")
            application_submit(
                student=world.child_x, term=term, data=complete_data(), by=world.guardian_x.user
            )
        with django_assert_num_queries(8):
            html = client.get(url).content.decode()
        assert html.count("已退回，待家长修改：再改改") == 3


class TestBackOfficeHistory:
    def test_superuser_browses_the_history_of_one_application(self, client, world, to_status):
        app = to_status(Status.SUBMITTED)
        application_return(application=app, by=world.homeroom_a, reason="请补充健康状况")
        root = User.objects.create_superuser("root", password="x-very-long-pw-1")
        client.force_login(root)
        url = reverse("admin:enrollment_application_history", args=[app.pk])
        html = client.get(url).content.decode()
        assert "homeroom_a" in html or "李老师" in html
        assert "请补充健康状况" in html
        for model in ("waiverrequest", "agreement", "optout", "agreementtemplate"):
            assert client.get(reverse(f"admin:enrollment_{model}_changelist")).status_code == 200
