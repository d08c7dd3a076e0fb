"""The enrollment step of the demo (demo/enrollment.py via ``load_demo``).

Loaded once for the module inside a transaction rolled back at the end, so
other modules never see it.
"""

from __future__ import annotations

import itertools
from collections import Counter

from django.urls import reverse

from afterschool.models import School, Student, User
from afterschool.selectors import current_term
from enrollment.models import (
    Agreement,
    AgreementTemplate,
    Application,
    ApplicationEvent,
    ClassSubmission,
    OptOut,
    Status,
    Survey,
    SurveyResponse,
    WaiverRequest,
    WaiverStatus,
)
from enrollment.review.selectors import class_applications


def enrollment_counts() -> dict[str, int]:
    return {
        "applications": Application.objects.count(),
        "events": ApplicationEvent.objects.count(),
        "responses": SurveyResponse.objects.count(),
        "opt_outs": OptOut.objects.count(),
        "waivers": WaiverRequest.objects.count(),
        "agreements": Agreement.objects.count(),
        "submissions": ClassSubmission.objects.count(),
        "templates": AgreementTemplate.objects.count(),
    }


# The term the assertions describe (the previous term, spring 2024, is complete).
TERM = "2024年秋季学期"


def _students(school: School):
    """The students of the term's school year (2024—2025), not last year's
    graduates."""
    return Student.objects.filter(school=school, school_class__school_year__start_year=2024)


class TestDemoEnrollment:
    def test_applications_in_every_state_in_realistic_numbers(self, school):
        counts = Counter(
            Application.objects.filter(term__name=TERM).values_list("status", flat=True)
        )
        assert set(counts) == set(Status.values)
        students = _students(school).count()
        assert counts[Status.APPROVED] > students / 3
        assert counts[Status.SUBMITTED] >= 50 and counts[Status.SUBMITTED_TO_SCHOOL] >= 50
        assert counts[Status.APPROVED_BY_HOMEROOM] >= 20
        for few in (Status.DRAFT, Status.RETURNED, Status.WITHDRAWN, Status.TERMINATED):
            assert 1 <= counts[few] <= students * 0.05, few
        # Most families apply.
        assert sum(counts.values()) > 0.8 * students

    def test_about_one_family_in_eight_opts_out_in_writing(self, school):
        students = _students(school).count()
        opt_outs = OptOut.objects.filter(student__school=school, term__name=TERM)
        assert 0.10 <= opt_outs.count() / students <= 0.15
        assert all("自愿放弃参加课后服务" in o.statement for o in opt_outs[:20])
        # Nobody both opted out and applied.
        assert not Application.objects.filter(
            term__name=TERM,
            student__opt_outs__term__name=TERM,
            student__opt_outs__revoked_at__isnull=True,
        ).exists()

    def test_survey_open_with_answers_from_most_families(self, school):
        survey = Survey.objects.get(school=school, term__name=TERM)
        answers = Counter(survey.responses.values_list("answer", flat=True))
        assert survey.is_open
        assert sum(answers.values()) >= 0.9 * _students(school).count()
        assert answers["decline"] == OptOut.objects.filter(term__name=TERM).count()
        assert answers["undecided"] >= 1

    def test_history_of_every_application_ends_in_its_status(self, school):
        events: dict[int, list] = {}
        # The demo school's term only (the county's second school has a term
        # of the same name).
        mine = {"term__name": TERM, "student__school": school}
        for e in ApplicationEvent.objects.filter(
            **{f"application__{k}": v for k, v in mine.items()}
        ).order_by("at", "pk"):
            events.setdefault(e.application_id, []).append(e)
        for app in Application.objects.filter(**mine):
            chain = events.get(app.pk, [])
            if app.status == Status.DRAFT:
                assert chain == []
                continue
            assert chain[0].from_status == Status.DRAFT
            assert chain[-1].to_status == app.status
            assert all(a.to_status == b.from_status for a, b in itertools.pairwise(chain))
            assert app.submitted_at == chain[0].at
            if app.status in {Status.RETURNED, Status.WITHDRAWN, Status.TERMINATED}:
                assert app.last_reason and chain[-1].reason == app.last_reason

    def test_waivers_approved_pending_and_one_declined(self, school):
        counts = Counter(
            WaiverRequest.objects.filter(application__term__name=TERM).values_list(
                "status", flat=True
            )
        )
        assert counts[WaiverStatus.APPROVED] >= 5
        assert counts[WaiverStatus.PENDING] >= 1
        assert counts[WaiverStatus.DECLINED] == 1
        declined = WaiverRequest.objects.get(
            application__term__name=TERM, status=WaiverStatus.DECLINED
        )
        assert declined.decision_reason and declined.decided_by.username == "admin"

    def test_most_approved_families_signed_online_some_on_paper(self, school):
        approved = Application.objects.filter(term__name=TERM, status=Status.APPROVED)
        online = Agreement.objects.filter(application__in=approved, signed_at__isnull=False)
        paper = Agreement.objects.filter(application__in=approved, paper_received_at__isnull=False)
        assert online.count() >= 0.5 * approved.count()
        assert 0.05 * approved.count() <= paper.count() <= 0.25 * approved.count()
        assert approved.filter(agreement__isnull=True).exists()
        signed = online.select_related("application__student").first()
        assert signed.application.student.name in signed.text
        assert "4.60元/天/生" in signed.text and signed.signed_name in signed.text

    def test_class_submissions_approved_and_waiting(self, school):
        subs = ClassSubmission.objects.filter(school_class__school=school, term__name=TERM)
        assert subs.filter(approved_at__isnull=False).count() >= 10
        waiting = subs.filter(approved_at__isnull=True)
        assert waiting.count() >= 2
        assert Application.objects.filter(
            class_submission__in=waiting, status=Status.SUBMITTED_TO_SCHOOL
        ).exists()

    def test_demo_families_have_something_to_do(self, school, client):
        siblings = {
            a.student.school_class.grade: a
            for a in Application.objects.filter(
                term__name=TERM, student__guardians__mobile="13800138001"
            ).select_related("student__school_class", "agreement")
        }
        assert siblings[3].status == Status.APPROVED
        assert not hasattr(siblings[3], "agreement")  # waits for the signature
        assert siblings[1].agreement.signed_name
        only = Application.objects.get(term__name=TERM, student__guardians__mobile="13800138002")
        assert only.status == Status.RETURNED and only.last_reason

        client.force_login(User.objects.get(username="13800138001"))
        page = client.get(reverse("enrollment:family")).text
        assert "阅读并签署协议书" in page and "查看已签署的协议书" in page
        client.force_login(User.objects.get(username="13800138002"))
        assert "修改并重新提交" in client.get(reverse("enrollment:family")).text

    def test_hr_3_2_has_applications_to_review(self, school, client):
        teacher = User.objects.get(username="hr_3_2")
        term = current_term(school=school.pk)
        school_class = teacher.homeroom_classes.get(school_year=term.school_year)
        waiting = class_applications(school_class=school_class, term=term).filter(
            status=Status.SUBMITTED
        )
        assert waiting.count() >= 3
        client.force_login(teacher)
        page = client.get(reverse("enrollment:class-review", args=[school_class.pk])).text
        assert waiting.first().student.name in page

    def test_admin_pages_show_the_demo(self, school, client):
        client.force_login(User.objects.get(username="admin"))
        for name in ("enrollment:submissions", "enrollment:waivers", "enrollment:agreements-print"):
            response = client.get(reverse(name))
            assert response.status_code == 200, name
        assert "一年级（1）班" in client.get(reverse("enrollment:agreements-print")).text
