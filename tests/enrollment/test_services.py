"""The named enrollment services: submit (idempotent), drafts, class
submission, school approval, waivers, opt-out, survey, agreements."""

from __future__ import annotations

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse

from afterschool.models import Notice, NoticeKind
from afterschool.rollover.services import school_year_rollover
from enrollment.agreements.services import (
    agreement_mark_paper_received,
    agreement_sign,
    agreement_template_current,
    agreement_template_save,
)
from enrollment.applications.services import application_save_draft, application_submit
from enrollment.models import (
    Agreement,
    AgreementTemplate,
    Application,
    ApplicationEvent,
    ClassSubmission,
    OptOut,
    Status,
    SurveyAnswer,
    SurveyResponse,
    WaiverRequest,
    WaiverStatus,
)
from enrollment.optouts.services import opt_out_declare, opt_out_revoke
from enrollment.review.services import (
    application_approve_homeroom,
    applications_bulk_approve,
    class_submit_to_school,
    school_approve_class,
    school_return_application,
)
from enrollment.surveys.selectors import class_survey_rows, survey_figures
from enrollment.surveys.services import survey_answer, survey_close, survey_open
from enrollment.waivers.selectors import approved_waiver_for, waiver_start
from enrollment.waivers.services import waiver_decide
from tests import factories as f
from tests.enrollment.conftest import complete_data

D = datetime.date


class TestApplicationSubmit:
    def test_double_submit_leaves_one_application_and_one_event(self, world, term):
        by = world.guardian_x.user
        first = application_submit(student=world.child_x, term=term, data=complete_data(), by=by)
        second = application_submit(
            student=world.child_x, term=term, data=complete_data(reason="另一个标签页"), by=by
        )

        assert first.pk == second.pk
        assert Application.objects.filter(student=world.child_x, term=term).count() == 1
        assert ApplicationEvent.objects.filter(application=first).count() == 1
        second.refresh_from_db()
        assert second.reason == "父母下班晚，无人接送。"

    def test_incomplete_form_is_refused_per_field_and_writes_nothing(self, world, term):
        with pytest.raises(ValidationError) as exc:
            application_submit(
                student=world.child_x,
                term=term,
                data=complete_data(
                    reason="", pickup_name="", wants_noon=False, wants_after_school=False
                ),
                by=world.guardian_x.user,
            )

        assert exc.value.message_dict["reason"] == ["请用自己的话写明申请理由。"]
        assert exc.value.message_dict["pickup_name"] == ["请填写接送人，或选择孩子自行回家。"]
        assert exc.value.message_dict["wants_after_school"] == ["请至少选择一个服务时段。"]
        assert not Application.objects.exists()

    def test_going_home_alone_needs_no_pickup(self, world, term):
        app = application_submit(
            student=world.child_x,
            term=term,
            data=complete_data(goes_home_alone=True, pickup_name="张伟"),
            by=world.guardian_x.user,
        )
        assert app.goes_home_alone and app.pickup_name == ""

    def test_draft_saves_incomplete_form_then_submits(self, world, term):
        by = world.guardian_x.user
        draft = application_save_draft(
            student=world.child_x, term=term, data={"wants_noon": True, "reason": ""}, by=by
        )
        assert draft.status == Status.DRAFT and draft.reason == ""
        assert not draft.events.exists()

        app = application_submit(student=world.child_x, term=term, data=complete_data(), by=by)
        assert app.pk == draft.pk and app.status == Status.SUBMITTED
        assert app.submitted_at is not None

    def test_returned_application_can_be_resubmitted(self, world, term, to_status):
        app = to_status(Status.RETURNED)
        again = application_submit(
            student=world.child_x,
            term=term,
            data=complete_data(health_notes="无过敏史"),
            by=world.guardian_x.user,
        )
        assert again.pk == app.pk and again.status == Status.SUBMITTED
        assert again.health_notes == "无过敏史"

    def test_returned_draft_save_cannot_empty_required_fields(self, world, term, to_status):
        to_status(Status.RETURNED)
        with pytest.raises(ValidationError) as exc:
            application_save_draft(
                student=world.child_x, term=term, data={"reason": ""}, by=world.guardian_x.user
            )
        assert exc.value.message_dict["reason"] == ["请用自己的话写明申请理由。"]
        assert Application.objects.get().reason == "父母下班晚，无人接送。"

    def test_submitted_application_cannot_be_saved_as_draft(self, world, term, to_status):
        to_status(Status.SUBMITTED)
        with pytest.raises(ValidationError) as exc:
            application_save_draft(
                student=world.child_x, term=term, data={"reason": "改"}, by=world.guardian_x.user
            )
        assert exc.value.messages == ["申请已提交（已提交，待班主任审核），不能再修改。"]
        assert Application.objects.get().reason == "父母下班晚，无人接送。"

    def test_teacher_of_another_class_cannot_start_a_draft(self, world, term):
        with pytest.raises(ValidationError) as exc:
            application_save_draft(
                student=world.child_x, term=term, data=complete_data(), by=world.homeroom_b
            )
        assert exc.value.messages == ["您无权处理该学生的申请。"]
        assert not Application.objects.exists()

    def test_paper_application_by_homeroom_teacher(self, world, term):
        app = application_submit(
            student=world.child_x,
            term=term,
            data=complete_data(),
            by=world.homeroom_a,
            on_paper=True,
        )
        assert app.on_paper and app.status == Status.SUBMITTED
        assert app.events.get().by == world.homeroom_a

    def test_waiver_request_created_with_the_application(self, world, term):
        app = application_submit(
            student=world.child_x,
            term=term,
            data=complete_data(waiver_requested=True, waiver_reason="低保户"),
            by=world.guardian_x.user,
        )
        assert app.waiver.reason == "低保户" and app.waiver.status == WaiverStatus.PENDING

    def test_waiver_without_reason_is_refused(self, world, term):
        with pytest.raises(ValidationError) as exc:
            application_submit(
                student=world.child_x,
                term=term,
                data=complete_data(waiver_requested=True),
                by=world.guardian_x.user,
            )
        assert exc.value.message_dict["waiver_reason"] == ["申请减免须说明家庭经济困难情况。"]
        assert not WaiverRequest.objects.exists() and not Application.objects.exists()


@pytest.mark.django_db(transaction=True)
class TestConcurrentSubmit:
    def test_two_threads_submitting_at_once_leave_one_application(self, world):
        if connection.vendor != "postgresql":
            pytest.skip("SQLite serialises writers with a file lock; row locks need PostgreSQL")
        term = f.make_term(world.school)
        barrier = threading.Barrier(2)
        results, errors = [], []

        def submit():
            try:
                barrier.wait()
                results.append(
                    application_submit(
                        student=world.child_x,
                        term=term,
                        data=complete_data(),
                        by=world.guardian_x.user,
                    ).pk
                )
            except Exception as exc:  # the test reports it below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=submit) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        assert errors == []
        assert len(set(results)) == 1
        assert Application.objects.filter(student=world.child_x, term=term).count() == 1
        assert ApplicationEvent.objects.filter(to_status=Status.SUBMITTED).count() == 1


class TestClassSubmission:
    def test_submit_freezes_class_list_for_the_school(self, world, term, to_status):
        app = to_status(Status.APPROVED_BY_HOMEROOM)
        submission = class_submit_to_school(
            school_class=world.class_a, term=term, by=world.homeroom_a
        )
        app.refresh_from_db()
        assert submission.frozen and app.class_submission == submission
        assert app.status == Status.SUBMITTED_TO_SCHOOL

    def test_refused_while_applications_wait_for_review(self, world, term, to_status):
        to_status(Status.SUBMITTED)
        with pytest.raises(ValidationError) as exc:
            class_submit_to_school(school_class=world.class_a, term=term, by=world.homeroom_a)
        assert exc.value.messages == ["还有1份申请待审核（张小明），请先审核或退回后再上报。"]
        assert not ClassSubmission.objects.exists()

    def test_refusal_names_five_and_says_there_are_more(self, world, term, to_status):
        to_status(Status.SUBMITTED)
        for i in range(6):
            Application.objects.create(
                student=f.make_student(world.class_a, f"待审{i}"),
                term=term,
                status=Status.SUBMITTED,
                created_by=world.admin,
                **complete_data(),
            )
        with pytest.raises(ValidationError) as exc:
            class_submit_to_school(school_class=world.class_a, term=term, by=world.homeroom_a)
        (message,) = exc.value.messages
        assert message.startswith("还有7份申请待审核（") and "等），请先审核" in message
        assert message.count("、") == 4

    def test_homeroom_of_another_class_cannot_submit(self, world, term, to_status):
        to_status(Status.APPROVED_BY_HOMEROOM)
        with pytest.raises(ValidationError) as exc:
            class_submit_to_school(school_class=world.class_a, term=term, by=world.homeroom_b)
        assert exc.value.messages == ["只有本班班主任或学校管理员可以上报班级名单。"]
        assert not ClassSubmission.objects.exists()

    def test_school_approves_all_and_returns_one(self, world, term, to_status):
        second = f.make_student(world.class_a, "王小二")
        f.make_guardian(second, "王大", "13900000011")
        a = to_status(Status.APPROVED_BY_HOMEROOM)
        b = to_status(Status.APPROVED_BY_HOMEROOM, student=second)
        submission = class_submit_to_school(
            school_class=world.class_a, term=term, by=world.homeroom_a
        )
        school_return_application(application=b, by=world.admin, reason="缺少紧急联系人")

        n = school_approve_class(submission=submission, by=world.admin)

        a.refresh_from_db(), b.refresh_from_db(), submission.refresh_from_db()
        assert n == 1
        assert (a.status, b.status) == (Status.APPROVED, Status.RETURNED)
        assert b.class_submission is None and submission.approved_by == world.admin

    def test_bulk_approve_is_all_or_nothing(self, world, term, to_status):
        second = f.make_student(world.class_a, "王小二")
        f.make_guardian(second, "王大", "13900000011")
        a = to_status(Status.SUBMITTED)
        b = to_status(Status.APPROVED_BY_HOMEROOM, student=second)

        with pytest.raises(ValidationError) as exc:
            applications_bulk_approve(applications=[a, b], by=world.homeroom_a)

        assert exc.value.messages[0].startswith("王小二：")
        a.refresh_from_db()
        assert a.status == Status.SUBMITTED


class TestWaiver:
    # The request is made "now" (the real date, after the 2024 term): a
    # test that lets the default stand pins the day the guardian asked.
    ASKED = datetime.datetime(2024, 10, 8, 9, tzinfo=datetime.UTC)

    def test_approved_waiver_is_what_billing_reads(self, world, term, to_status):
        app = to_status(Status.SUBMITTED, waiver_requested=True, waiver_reason="低保户")
        assert approved_waiver_for(student=world.child_x, term=term) is None

        waiver_decide(
            waiver=app.waiver,
            approve=True,
            by=world.admin,
            reason="低保证已核实",
            effective_from=D(2024, 9, 16),
        )

        waiver = approved_waiver_for(student=world.child_x, term=term)
        assert waiver.application == app and waiver.decided_by == world.admin
        assert waiver.effective_from == D(2024, 9, 16)
        assert waiver.decision_reason == "低保证已核实"

    def test_effective_date_defaults_to_the_day_the_guardian_asked(self, world, term, to_status):
        with time_machine.travel(self.ASKED, tick=False):
            app = to_status(Status.SUBMITTED, waiver_requested=True, waiver_reason="低保户")
        with time_machine.travel(datetime.datetime(2024, 10, 20, 9, tzinfo=datetime.UTC)):
            waiver = waiver_decide(waiver=app.waiver, approve=True, by=world.admin, reason="已核实")
        assert waiver.effective_from == D(2024, 10, 8)
        assert waiver_start(waiver) == D(2024, 10, 8)

    def test_a_request_made_before_the_term_applies_from_its_first_day(
        self, world, term, to_status
    ):
        with time_machine.travel(datetime.datetime(2024, 8, 20, 9, tzinfo=datetime.UTC)):
            app = to_status(Status.SUBMITTED, waiver_requested=True, waiver_reason="低保户")
            waiver = waiver_decide(waiver=app.waiver, approve=True, by=world.admin, reason="已核实")
        assert waiver.effective_from == term.first_day

    def test_approval_needs_a_reason_whatever_calls_it(self, world, term, to_status):
        app = to_status(Status.SUBMITTED, waiver_requested=True, waiver_reason="低保户")
        for blank in ("", "   "):
            with pytest.raises(ValidationError) as exc:
                waiver_decide(
                    waiver=app.waiver,
                    approve=True,
                    by=world.admin,
                    reason=blank,
                    effective_from=D(2024, 9, 2),
                )
            assert exc.value.messages == ["同意减免时必须填写审核意见（如核实了哪些困难证明）。"]
        waiver = WaiverRequest.objects.get()
        assert (waiver.status, waiver.effective_from, waiver.decided_by) == (
            WaiverStatus.PENDING,
            None,
            None,
        )

    def test_decline_needs_a_reason(self, world, term, to_status):
        app = to_status(Status.SUBMITTED, waiver_requested=True, waiver_reason="低保户")
        with pytest.raises(ValidationError) as exc:
            waiver_decide(waiver=app.waiver, approve=False, by=world.admin)
        assert exc.value.messages == ["不予减免时必须填写理由。"]
        assert WaiverRequest.objects.get().status == WaiverStatus.PENDING

    def test_effective_date_after_the_term_is_refused(self, world, term, to_status):
        app = to_status(Status.SUBMITTED, waiver_requested=True, waiver_reason="低保户")
        with pytest.raises(ValidationError) as exc:
            waiver_decide(
                waiver=app.waiver,
                approve=True,
                by=world.admin,
                reason="已核实",
                effective_from=D(2025, 1, 18),
            )
        assert exc.value.messages == ["减免生效日期不能晚于本学期最后一天（2025年1月17日）。"]
        assert WaiverRequest.objects.get().status == WaiverStatus.PENDING

    def test_a_decline_after_an_approval_clears_the_date(self, world, term, to_status):
        app = to_status(Status.SUBMITTED, waiver_requested=True, waiver_reason="低保户")
        waiver_decide(
            waiver=app.waiver,
            approve=True,
            by=world.admin,
            reason="已核实",
            effective_from=D(2024, 9, 16),
        )
        waiver = waiver_decide(waiver=app.waiver, approve=False, by=world.admin, reason="材料不实")
        assert (waiver.status, waiver.effective_from) == (WaiverStatus.DECLINED, None)
        assert approved_waiver_for(student=world.child_x, term=term) is None

    def test_other_school_admin_cannot_decide(self, world, term, to_status):
        app = to_status(Status.SUBMITTED, waiver_requested=True, waiver_reason="低保户")
        with pytest.raises(ValidationError):
            waiver_decide(waiver=app.waiver, approve=True, by=world.other_admin, reason="x")
        assert WaiverRequest.objects.get().status == WaiverStatus.PENDING


class TestOptOut:
    def test_declaration_records_who_when_and_dismissal_time(self, world, term):
        opt = opt_out_declare(student=world.child_x, term=term, by=world.guardian_x.user)
        assert opt.declared_by == world.guardian_x.user
        assert "17:20" in opt.statement and "张小明" in opt.statement
        assert "13:55" in opt.statement

    def test_second_declaration_returns_the_first(self, world, term):
        by = world.guardian_x.user
        a = opt_out_declare(student=world.child_x, term=term, by=by)
        b = opt_out_declare(student=world.child_x, term=term, by=by)
        assert a.pk == b.pk and OptOut.objects.count() == 1

    def test_opted_out_family_cannot_submit_until_revoked(self, world, term):
        by = world.guardian_x.user
        opt = opt_out_declare(student=world.child_x, term=term, by=by)
        with pytest.raises(ValidationError) as exc:
            application_submit(student=world.child_x, term=term, data=complete_data(), by=by)
        assert exc.value.messages == ["已提交放弃申请声明，如需申请请先撤回放弃声明。"]
        assert not Application.objects.exists()

        opt_out_revoke(opt_out=opt, by=by)
        app = application_submit(student=world.child_x, term=term, data=complete_data(), by=by)
        assert app.status == Status.SUBMITTED

    def test_another_family_cannot_opt_out_for_the_child(self, world, term):
        with pytest.raises(ValidationError) as exc:
            opt_out_declare(student=world.child_x, term=term, by=world.guardian_y.user)
        assert exc.value.messages == ["您无权处理该学生的申请。"]
        assert not OptOut.objects.exists()

    def test_cannot_opt_out_over_a_submitted_application(self, world, term, to_status):
        to_status(Status.SUBMITTED)
        with pytest.raises(ValidationError) as exc:
            opt_out_declare(student=world.child_x, term=term, by=world.guardian_x.user)
        assert exc.value.messages == [
            "已有课后服务申请（已提交，待班主任审核），请先退出申请再声明放弃。"
        ]
        assert not OptOut.objects.exists()


class TestSurvey:
    def test_answer_is_one_per_student_and_editable_until_closed(self, world, term):
        survey = survey_open(term=term, by=world.admin)
        by = world.guardian_x.user
        survey_answer(survey=survey, student=world.child_x, answer="join", wants_noon=True, by=by)
        survey_answer(
            survey=survey, student=world.child_x, answer="decline", wants_noon=True, by=by
        )
        response = SurveyResponse.objects.get()
        assert response.answer == SurveyAnswer.DECLINE and not response.wants_noon

        survey_close(survey=survey, by=world.admin)
        with pytest.raises(ValidationError) as exc:
            survey_answer(
                survey=survey, student=world.child_x, answer="join", wants_noon=True, by=by
            )
        assert exc.value.messages == ["意向调查已结束，不能再修改回执。"]
        assert SurveyResponse.objects.get().answer == SurveyAnswer.DECLINE

    def test_figures_per_class_grade_and_priority(self, world, term):
        survey = survey_open(term=term, by=world.admin)
        world.child_y.is_left_behind = True
        world.child_y.save()
        extra = f.make_student(world.class_a, "李四", is_migrant_child=True)
        survey_answer(
            survey=survey,
            student=world.child_x,
            answer="join",
            wants_noon=True,
            by=world.homeroom_a,
        )
        survey_answer(survey=survey, student=world.child_y, answer="decline", by=world.homeroom_b)
        assert extra.pk

        grades, total = survey_figures(survey)

        (grade3,) = grades
        class_a, class_b = grade3.classes
        assert (class_a.students, class_a.joining, class_a.no_answer) == (2, 1, 1)
        assert (class_a.priority, class_a.priority_no_answer) == (1, 1)
        assert (class_b.declining, class_b.priority_declining) == (1, 1)
        assert (total.students, total.joining, total.declining, total.no_answer) == (3, 1, 1, 1)
        assert total.priority == 2

    def test_a_past_terms_figures_keep_its_children_after_the_rollover(self, world, term):
        survey = survey_open(term=term, by=world.admin)
        survey_answer(
            survey=survey,
            student=world.child_x,
            answer="join",
            wants_noon=True,
            by=world.homeroom_a,
        )
        school_year_rollover(school=world.school, from_year=term.school_year, by=world.admin)
        world.child_x.refresh_from_db()
        assert world.child_x.school_class.grade == 4  # the pointer moved on

        grades, total = survey_figures(survey)

        # Still counted in 三年级 of the term's year, not in next year's 四年级.
        (grade3,) = grades
        assert grade3.label == "三年级"
        assert [(c.label, c.students, c.joining) for c in grade3.classes] == [
            ("三年级（1）班", 1, 1),
            ("三年级（2）班", 1, 0),
        ]
        assert (total.students, total.joining, total.no_answer) == (2, 1, 1)
        rows = class_survey_rows(school_class=world.class_a, survey=survey)
        assert [(s.name, len(s.responses)) for s in rows] == [("张小明", 1)]

    def test_opening_a_past_terms_survey_reaches_that_years_families(self, world, term):
        school_year_rollover(school=world.school, from_year=term.school_year, by=world.admin)

        survey_open(term=term, by=world.admin)

        reached = set(
            Notice.objects.filter(kind=NoticeKind.SURVEY_OPENED).values_list("guardian", flat=True)
        )
        assert reached == {world.guardian_x.pk, world.guardian_y.pk}


class TestAgreement:
    def test_signing_freezes_text_version_time_and_ip(self, world, term, to_status):
        app = to_status(Status.APPROVED)
        agreement = agreement_sign(
            application=app,
            by=world.guardian_x.user,
            signed_name=" 张 伟 ",
            consent=True,
            ip="10.0.0.7",
        )
        assert agreement.template_version == 1 and agreement.ip == "10.0.0.7"
        assert agreement.signed_name == "张伟" and agreement.signed_at is not None
        assert "2.30元/课时/生" in agreement.text and "4.60元/天/生" in agreement.text
        assert "三年级（1）班学生张小明的家长（监护人）张伟" in agreement.text
        assert "18:10" in agreement.text and "17:20" in agreement.text

    def test_template_edit_never_changes_a_signed_agreement(self, world, term, to_status):
        app = to_status(Status.APPROVED)
        agreement = agreement_sign(
            application=app, by=world.guardian_x.user, signed_name="张伟", consent=True, ip=None
        )
        frozen = agreement.text
        current = agreement_template_current(school=world.school)

        new = agreement_template_save(
            school=world.school, body=current.body + "\n七、补充条款：新增内容。", by=world.admin
        )

        agreement.refresh_from_db()
        assert new.version == 2
        assert agreement.text == frozen and "补充条款" not in agreement.text
        assert agreement.template_version == 1
        assert AgreementTemplate.objects.get(version=1).body == current.body

    def test_name_must_match_and_consent_ticked(self, world, term, to_status):
        app = to_status(Status.APPROVED)
        with pytest.raises(ValidationError) as exc:
            agreement_sign(
                application=app,
                by=world.guardian_x.user,
                signed_name="张三",
                consent=False,
                ip=None,
            )
        assert exc.value.message_dict == {
            "signed_name": ["签名须与学校登记的家长姓名一致，请输入您的完整姓名。"],
            "consent": ["请阅读协议并勾选同意。"],
        }
        assert not Agreement.objects.exists()

    def test_not_before_school_approval(self, world, term, to_status):
        app = to_status(Status.SUBMITTED_TO_SCHOOL)
        with pytest.raises(ValidationError) as exc:
            agreement_sign(
                application=app,
                by=world.guardian_x.user,
                signed_name="张伟",
                consent=True,
                ip=None,
            )
        assert exc.value.messages == ["学校批准申请后才能签署协议书。"]
        assert not Agreement.objects.exists()

    def test_another_guardian_cannot_sign(self, world, term, to_status):
        app = to_status(Status.APPROVED)
        with pytest.raises(ValidationError) as exc:
            agreement_sign(
                application=app,
                by=world.guardian_y.user,
                signed_name="刘芳",
                consent=True,
                ip=None,
            )
        assert exc.value.messages == ["只有该学生的家长可以签署协议书。"]
        assert not Agreement.objects.exists()

    def test_paper_agreement_marked_received(self, world, term, to_status):
        app = to_status(Status.APPROVED)
        agreement = agreement_mark_paper_received(application=app, by=world.homeroom_a)
        assert agreement.paper_received_by == world.homeroom_a
        assert not agreement.is_signed_online and "张小明" in agreement.text

    def test_waiver_appears_in_agreement(self, world, term, to_status):
        app = to_status(Status.SUBMITTED, waiver_requested=True, waiver_reason="低保户")
        waiver_decide(
            waiver=app.waiver,
            approve=True,
            by=world.admin,
            reason="低保证已核实",
            effective_from=term.first_day,
        )
        application_approve_homeroom(application=app, by=world.homeroom_a)
        sub = class_submit_to_school(school_class=world.class_a, term=term, by=world.homeroom_a)
        school_approve_class(submission=sub, by=world.admin)
        agreement = agreement_sign(
            application=app, by=world.guardian_x.user, signed_name="张伟", consent=True, ip=None
        )
        assert "经学校审核，免收课后服务费" in agreement.text

    def test_template_with_include_tag_is_refused(self, world):
        with pytest.raises(ValidationError) as exc:
            agreement_template_save(
                school=world.school, body='{% include "base.html" %}', by=world.admin
            )
        assert exc.value.messages == [
            "第1行：协议模板中不能使用“include”标签，只能使用 if、for 和 comment。"
        ]
        assert not AgreementTemplate.objects.exists()


class TestTermSchoolYear:
    """A student applies in a term only when their class is in the term's
    school year (next year's roster imported beside this year's)."""

    @pytest.fixture
    def next_year_child(self, world):
        new = f.make_class(world.school, 3, 1, world.homeroom_a, start_year=2025)
        return f.make_student(new, "新学年学生")

    def test_paper_application_into_another_years_term_is_refused(
        self, world, term, next_year_child
    ):
        with pytest.raises(ValidationError) as exc:
            application_submit(
                student=next_year_child, term=term, data=complete_data(), by=world.homeroom_a
            )
        assert "不属于2024年秋季学期所在学年" in exc.value.messages[0]
        assert not Application.objects.filter(student=next_year_child).exists()

    def test_opt_out_into_another_years_term_is_refused(self, world, term, next_year_child):
        with pytest.raises(ValidationError, match="所在学年"):
            opt_out_declare(student=next_year_child, term=term, by=world.homeroom_a)
        assert not OptOut.objects.filter(student=next_year_child).exists()

    def test_after_the_rollover_this_years_child_still_applies_for_this_years_term(
        self, world, term
    ):
        from afterschool.rollover.services import school_year_rollover

        # The latest-class pointer moves into 2025's 四年级; the 2024 term
        # reads the 2024 membership.
        school_year_rollover(school=world.school, from_year=term.school_year, by=world.admin)
        world.child_x.refresh_from_db()
        assert world.child_x.school_class.school_year.start_year == 2025
        app = application_submit(
            student=world.child_x, term=term, data=complete_data(), by=world.guardian_x.user
        )
        assert app.status == Status.SUBMITTED
        # And the 2025 term takes the 2025 class, not a leftover 2024 one.
        autumn_2025 = f.make_term(world.school, 2025)
        application_save_draft(
            student=world.child_x, term=autumn_2025, data={}, by=world.guardian_x.user
        )

    def test_a_child_marked_as_left_applies_no_more(self, world, term):
        import datetime

        from enrollment.leavers.services import students_mark_left

        students_mark_left(
            school=world.school,
            school_year=term.school_year,
            student_ids=[world.child_x.pk],
            left_on=datetime.date(2024, 11, 4),
            reason="transfer",
            by=world.admin,
        )
        with pytest.raises(ValidationError) as exc:
            application_submit(
                student=world.child_x, term=term, data=complete_data(), by=world.guardian_x.user
            )
        assert exc.value.messages == [
            "张小明自2024-11-04起已离开三年级（1）班，不能办理2024年秋季学期的报名。"
        ]
        with pytest.raises(ValidationError, match="已离开"):
            opt_out_declare(student=world.child_x, term=term, by=world.guardian_x.user)
        assert not Application.objects.filter(student=world.child_x).exists()
        assert not OptOut.objects.filter(student=world.child_x).exists()


class TestAgreementBoarder:
    """Seed 二.1: 住宿生统一由学校管理 — a boarder's agreement names no pickup person."""

    def test_boarders_agreement_says_school_manages_instead_of_pickup(self, world, term, to_status):
        world.child_x.is_boarder = True
        world.child_x.save(update_fields=["is_boarder"])
        app = to_status(Status.APPROVED, pickup_name="刘秀梅", pickup_relation="祖母")
        agreement = agreement_sign(
            application=app, by=world.guardian_x.user, signed_name="张伟", consent=True, ip=None
        )
        assert "本学生为住宿生，服务结束后不离校，由学校统一管理" in agreement.text
        assert "刘秀梅" not in agreement.text
        assert "接回" not in agreement.text

    def test_day_pupils_agreement_names_the_pickup_person(self, world, term, to_status):
        app = to_status(Status.APPROVED, pickup_name="刘秀梅", pickup_relation="祖母")
        agreement = agreement_sign(
            application=app, by=world.guardian_x.user, signed_name="张伟", consent=True, ip=None
        )
        assert "学生安全离校，由刘秀梅（祖母）接回。" in agreement.text


class TestAgreementTemplatePlaceholders:
    """A mistyped placeholder is refused on save instead of printing blank."""

    def test_unknown_placeholder_refused_with_the_allowed_list(self, world):
        before = AgreementTemplate.objects.count()
        with pytest.raises(ValidationError) as exc:
            agreement_template_save(
                school=world.school,
                body="{{ school_name }}{% if is_boarder %}{{ foo }}{% endif %}",
                by=world.admin,
            )
        message = exc.value.messages[0]
        assert "未知的占位符：{{ foo }}" in message
        assert "{{ school_name }}、{{ term_name }}" in message
        assert AgreementTemplate.objects.count() == before

    def test_loop_variables_and_known_placeholders_pass(self, world):
        saved = agreement_template_save(
            school=world.school,
            body="{{ school_name }}{% for c in parts %}{{ c }}{{ forloop.counter }}{% endfor %}",
            by=world.admin,
        )
        assert saved.version >= 1

    def test_placeholders_are_the_context_keys(self, world, term, to_status):
        from enrollment.agreements.texts import PLACEHOLDERS, agreement_context

        app = to_status(Status.APPROVED)
        assert set(agreement_context(application=app, guardian_name="张伟")) == set(PLACEHOLDERS)


class TestAgreementTemplateBounds:
    """One school's template cannot hold the shared server: filters are
    allow-listed with small arguments, loops are few and flat, the rendered
    text is bounded; every refusal is Chinese and names the line."""

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ('{{ school_name|center:"100000000" }}', "第1行：不能使用过滤器“center”"),
            ("甲\n{{ school_name|ljust:9999 }}", "第2行：不能使用过滤器“ljust”"),
            ("{{ school_name|truncatechars:99999 }}", "第1行：过滤器“truncatechars”的参数过大"),
            (
                "a\nb\n{% for c in school_name %}{% for d in school_name %}x{% endfor %}"
                "{% endfor %}",
                "第3行：{% for %} 循环过多",
            ),
            ("{% for c in parts %}{% endfor %}" * 6, "循环过多（全文最多 5 个"),
            ("一\n二\n{% if is_boarder %}住宿", "第3行：“{% if %}”没有结束，缺少 {% endif %}"),
            (
                "一\n{% if is_boarder %}{% endfor %}",
                "第2行：这里不能用 {% endfor %}，应为 {% endif %}",
            ),
            ("一\n二\n{{ nme }}", "第3行：协议模板中有未知的占位符：{{ nme }}"),
            ("x" * 20_001, "协议模板过长"),
        ],
    )
    def test_refused_on_save_with_the_line(self, world, body, message):
        before = AgreementTemplate.objects.count()
        with pytest.raises(ValidationError) as exc:
            agreement_template_save(school=world.school, body=body, by=world.admin)
        assert message in exc.value.messages[0]
        assert AgreementTemplate.objects.count() == before

    def test_allowed_filters_pass(self, world):
        body = '{{ school_name|default:"本校" }}{{ is_boarder|yesno:"是,否" }}{{ parts|length }}'
        assert agreement_template_save(school=world.school, body=body, by=world.admin).version

    def test_rendered_length_is_bounded(self, settings):
        from enrollment.agreements.texts import agreement_render

        settings.AGREEMENT_MAX_RENDERED_CHARS = 100
        with pytest.raises(ValidationError, match="协议正文过长"):
            agreement_render(body="{{ school_name }}", context={"school_name": "校" * 101})

    def test_editor_shows_a_syntax_error_in_chinese(self, client, world):
        client.force_login(world.admin)
        response = client.post(
            reverse("enrollment:agreement-template"),
            {"body": "一\n{% if is_boarder %}住宿", "action": "preview"},
        )
        html = response.content.decode()
        assert "第2行：“{% if %}”没有结束，缺少 {% endif %}" in html
        assert "Unclosed" not in html

    def test_editor_lists_placeholders_as_insertable_buttons(self, client, world):
        client.force_login(world.admin)
        html = client.get(reverse("enrollment:agreement-template")).content.decode()
        assert 'data-insert="{{ school_name }}"' in html
        assert "js/agreement-editor.js" in html
        assert " onclick=" not in html


def test_reason_is_bounded_with_a_plain_chinese_message():
    from enrollment.applications.forms import ReasonForm

    form = ReasonForm({"reason": "太" * 501})
    assert not form.is_valid()
    assert form.errors["reason"] == ["最多只能填写 500 个字（现在是 501 个），请删减一些。"]
    assert ReasonForm({"reason": "太" * 500}).is_valid()
