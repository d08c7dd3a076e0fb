"""Printing a class or a grade: the print page, batches rendered in the
request, background print jobs (ImmediateBackend in tests) and the
``print_agreements`` command."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from afterschool.roster.cells import parse_class_name
from enrollment.agreements.services import (
    agreement_mark_paper_received,
    agreement_sign,
    agreement_template_current,
    agreement_template_save,
)
from enrollment.applications.services import application_submit
from enrollment.models import AgreementTemplate, PrintJob, PrintJobStatus, Status
from enrollment.printing.services import print_job_request
from enrollment.printing.tasks import print_job_run
from enrollment.review.services import (
    application_approve_homeroom,
    class_submit_to_school,
    school_approve_class,
)
from tests import factories as f
from tests.enrollment.conftest import complete_data
from tests.enrollment.test_pdf import agreement_heads, assert_cjk_font_embedded, flat, pdf_text


def approve_class(school_class, term, admin, names, *, extra_status=None):
    """Paper applications for ``names`` in the class, approved by the
    homeroom teacher and the school; returns the students."""
    teacher = school_class.homeroom_teacher
    students = []
    for name in names:
        student = f.make_student(school_class, name)
        f.make_guardian(student, f"{name[0]}家长")
        application_submit(
            student=student, term=term, data=complete_data(), by=teacher, on_paper=True
        )
        students.append(student)
    for app in student_apps(students, term):
        application_approve_homeroom(application=app, by=teacher)
    sub = class_submit_to_school(school_class=school_class, term=term, by=teacher)
    school_approve_class(submission=sub, by=admin)
    return students


def student_apps(students, term):
    from enrollment.models import Application

    return list(Application.objects.filter(student__in=students, term=term))


def login(client, user):
    client.force_login(getattr(user, "user", user))
    return client


NAMES_A = ["甲一", "甲二", "甲三"]
NAMES_B = ["乙一", "乙二"]


@pytest.fixture
def printed(world, term):
    """Three approved in class A, two in class B, and one still waiting for
    the homeroom teacher in class A (not printed)."""
    approve_class(world.class_a, term, world.admin, NAMES_A)
    approve_class(world.class_b, term, world.admin, NAMES_B)
    waiting = f.make_student(world.class_a, "甲未审")
    application_submit(
        student=waiting, term=term, data=complete_data(), by=world.homeroom_a, on_paper=True
    )
    return term


class TestPrintPage:
    def test_admin_sees_every_class_with_counts_and_grade_button(self, client, world, printed):
        html = login(client, world.admin).get(reverse("enrollment:agreements-print")).text
        assert "三年级（1）班" in html and "三年级（2）班" in html
        assert reverse("enrollment:agreements-print-grade", args=[3]) in html
        assert reverse("enrollment:agreements-print-class", args=[world.class_a.pk]) in html
        assert reverse("enrollment:blank-application-form") in html

    def test_homeroom_sees_own_class_only_and_no_grade_button(self, client, world, printed):
        html = login(client, world.homeroom_a).get(reverse("enrollment:agreements-print")).text
        assert "三年级（1）班" in html and "三年级（2）班" not in html
        assert reverse("enrollment:agreements-print-grade", args=[3]) not in html

    @pytest.mark.parametrize("persona", ["guardian_x", "teacher", "volunteer"])
    def test_other_roles_are_refused(self, client, world, printed, persona):
        response = login(client, getattr(world, persona)).get(
            reverse("enrollment:agreements-print")
        )
        assert response.status_code == 403

    def test_query_count_does_not_grow_with_classes_or_applications(
        self, client, world, term, django_assert_num_queries
    ):
        login(client, world.admin)
        url = reverse("enrollment:agreements-print")
        approve_class(world.class_a, term, world.admin, ["丙一"])
        # session, user+school, term, classes, one aggregate of the counts, jobs
        with django_assert_num_queries(6):
            client.get(url)
        for grade in (1, 2):
            school_class = f.make_class(world.school, grade, 1, world.homeroom_a)
            approve_class(school_class, term, world.admin, [f"丁{grade}{i}" for i in range(4)])
        with django_assert_num_queries(6):
            response = client.get(url)
        assert response.text.count("打印本班协议书") == 3


class TestBatchInRequest:
    def test_class_batch_has_one_agreement_per_approved_application_in_order(
        self, client, world, printed
    ):
        url = reverse("enrollment:agreements-print-class", args=[world.class_a.pk])

        response = login(client, world.homeroom_a).post(url)

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        heads = agreement_heads(response.content)
        assert heads == [("三年级（1）班", n) for n in sorted(NAMES_A)]
        assert not PrintJob.objects.exists()
        assert_cjk_font_embedded(response.content)

    def test_grade_batch_goes_class_by_class(self, client, world, printed):
        url = reverse("enrollment:agreements-print-grade", args=[3])

        response = login(client, world.admin).post(url)

        heads = agreement_heads(response.content)
        assert heads == [("三年级（1）班", n) for n in sorted(NAMES_A)] + [
            ("三年级（2）班", n) for n in sorted(NAMES_B)
        ]

    def test_signed_agreement_in_batch_keeps_its_frozen_text(self, client, world, printed):
        app = student_apps(list(world.class_b.students.filter(name="乙一")), printed)[0]
        agreement_mark_paper_received(application=app, by=world.homeroom_b)
        body = agreement_template_current(school=world.school).body
        agreement_template_save(
            school=world.school, body=body.replace("作业辅导", "自主阅读"), by=world.admin
        )
        url = reverse("enrollment:agreements-print-class", args=[world.class_b.pk])

        pages = flat(pdf_text(login(client, world.admin).post(url).content))

        # 乙一's paper agreement (version 1) and 乙二's unsigned one (version 2).
        assert pages.count("作业辅导") == 1 and pages.count("自主阅读") == 1
        assert "纸质协议书已签字收回" in pages

    def test_empty_class_says_so(self, client, world, term):
        url = reverse("enrollment:agreements-print-class", args=[world.class_a.pk])
        response = login(client, world.admin).post(url, follow=True)
        assert "三年级（1）班没有学校已批准的申请，无协议书可打印。" in response.text
        assert not PrintJob.objects.exists()

    def test_get_is_not_allowed(self, client, world, printed):
        url = reverse("enrollment:agreements-print-class", args=[world.class_a.pk])
        assert login(client, world.admin).get(url).status_code == 405

    @pytest.mark.parametrize(
        "persona, scope, status",
        [
            ("homeroom_b", "class_a", 404),  # another class's teacher
            ("other_admin", "class_a", 404),  # another school's admin
            ("guardian_x", "class_a", 403),
            ("teacher", "class_a", 403),
            ("homeroom_a", "grade", 403),  # grades are for the admin
            ("guardian_x", "grade", 403),
            ("other_admin", "grade", 404),  # their school has no term: nothing to print
        ],
    )
    def test_wrong_persona(self, client, world, printed, persona, scope, status):
        if scope == "grade":
            url = reverse("enrollment:agreements-print-grade", args=[3])
        else:
            url = reverse("enrollment:agreements-print-class", args=[world.class_a.pk])
        assert login(client, getattr(world, persona)).post(url).status_code == status

    def test_query_count_is_the_same_for_3_and_8_agreements(
        self, client, world, term, django_assert_num_queries
    ):
        login(client, world.admin)
        url = reverse("enrollment:agreements-print-class", args=[world.class_a.pk])
        approve_class(world.class_a, term, world.admin, ["戊一", "戊二", "戊三"])
        agreement_template_current(school=world.school)
        # session, user+school, class, term, count, savepoint + template +
        # release (the template read is atomic: it creates version 1 on first
        # use), applications (student, school, class, term, waiver, agreement
        # joined), guardians
        with django_assert_num_queries(10):
            small = client.post(url)
        approve_class(world.class_a, term, world.admin, [f"己{i}" for i in range(5)])
        with django_assert_num_queries(10):
            big = client.post(url)
        assert len(agreement_heads(small.content)) == 3
        assert len(agreement_heads(big.content)) == 8


@pytest.fixture
def small_inline(settings):
    """Batches of more than two agreements go to a background job."""
    settings.AGREEMENT_PRINT_INLINE_MAX = 2


class TestPrintJob:
    def test_big_batch_becomes_a_job_that_runs_and_offers_the_file(
        self, client, world, printed, small_inline, django_capture_on_commit_callbacks
    ):
        login(client, world.admin)
        url = reverse("enrollment:agreements-print-class", args=[world.class_a.pk])

        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(url)

        job = PrintJob.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("enrollment:print-job", args=[job.pk])
        assert len(callbacks) == 1
        assert job.status == PrintJobStatus.DONE
        assert (job.done, job.total, job.requested_by) == (3, 3, world.admin)
        assert job.task_id and job.finished_at and job.pages >= 3

        page = client.get(response["Location"])
        assert "已完成 3 / 3 份" in page.text and "已完成" in page.text
        assert "Refresh" not in page
        download = reverse("enrollment:print-job-download", args=[job.pk])
        assert download in page.text
        data = client.get(download).content
        assert [n for _, n in agreement_heads(data)] == sorted(NAMES_A)

    def test_queued_job_page_shows_progress_and_refreshes(
        self, client, world, printed, small_inline
    ):
        login(client, world.admin)
        # Without running the on-commit callbacks the job stays queued.
        client.post(reverse("enrollment:agreements-print-grade", args=[3]))
        job = PrintJob.objects.get()

        page = client.get(reverse("enrollment:print-job", args=[job.pk]))

        assert job.status == PrintJobStatus.QUEUED and job.total == 5
        assert page["Refresh"] == "3"
        assert "排队中" in page.text and "已完成 0 / 5 份" in page.text
        assert '<progress class="w-100" max="5" value="0">' in page.text
        download = reverse("enrollment:print-job-download", args=[job.pk])
        assert download not in page.text
        assert client.get(download).status_code == 404

    def test_double_click_makes_one_job(self, client, world, printed, small_inline):
        login(client, world.admin)
        url = reverse("enrollment:agreements-print-class", args=[world.class_a.pk])
        first = client.post(url)
        second = client.post(url)
        assert PrintJob.objects.count() == 1
        assert first["Location"] == second["Location"]

    def test_failed_job_keeps_the_error_and_says_so(
        self, client, world, printed, small_inline, django_capture_on_commit_callbacks
    ):
        # A broken template body (saved around the validation) makes rendering fail.
        AgreementTemplate.objects.create(school=world.school, version=2, body="{% if %}")
        login(client, world.admin)
        url = reverse("enrollment:agreements-print-class", args=[world.class_a.pk])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url)
        job = PrintJob.objects.get()
        assert job.status == PrintJobStatus.FAILED
        assert job.error.startswith("TemplateSyntaxError")
        assert job.pdf is None
        assert "生成失败" in client.get(response["Location"]).text

    def test_job_run_twice_does_nothing_the_second_time(
        self, world, printed, small_inline, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            job = print_job_request(by=world.admin, term=printed, school_class=world.class_b)
        job.refresh_from_db()
        finished = job.finished_at
        again = print_job_run(job_id=job.pk)
        assert again.finished_at == finished and again.status == PrintJobStatus.DONE

    def test_request_refused_for_another_class(self, world, printed):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as exc:
            print_job_request(by=world.homeroom_b, term=printed, school_class=world.class_a)
        assert exc.value.messages == ["您无权打印这些协议书。"]
        assert not PrintJob.objects.exists()

    @pytest.mark.parametrize(
        "persona, scope, status",
        [
            ("admin", "class", 200),
            ("homeroom_a", "class", 200),  # the class's own teacher
            ("homeroom_b", "class", 404),  # another class's teacher
            ("homeroom_a", "grade", 404),  # a grade holds other classes
            ("other_admin", "class", 404),  # another school
            ("guardian_x", "class", 404),
            ("teacher", "class", 404),
        ],
    )
    def test_job_page_and_file_only_for_who_may_see_all_its_agreements(
        self,
        client,
        world,
        printed,
        small_inline,
        django_capture_on_commit_callbacks,
        persona,
        scope,
        status,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            if scope == "class":
                job = print_job_request(by=world.admin, term=printed, school_class=world.class_a)
            else:
                job = print_job_request(by=world.admin, term=printed, grade=3)
        login(client, getattr(world, persona))
        page = client.get(reverse("enrollment:print-job", args=[job.pk]))
        download = client.get(reverse("enrollment:print-job-download", args=[job.pk]))
        assert (page.status_code, download.status_code) == (status, status)

    def test_job_page_query_count_is_the_same_for_small_and_big_jobs(
        self,
        client,
        world,
        printed,
        small_inline,
        django_capture_on_commit_callbacks,
        django_assert_num_queries,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            small = print_job_request(by=world.admin, term=printed, school_class=world.class_b)
            big = print_job_request(by=world.admin, term=printed, grade=3)
        login(client, world.admin)
        for job in (small, big):
            # session, user+school, job (class, term, requester joined; no file)
            with django_assert_num_queries(3):
                client.get(reverse("enrollment:print-job", args=[job.pk]))

    def test_job_run_query_count_is_the_same_for_2_and_5_agreements(
        self, world, printed, django_assert_num_queries
    ):
        jobs = [
            PrintJob.objects.create(
                school=world.school,
                term=printed,
                requested_by=world.admin,
                school_class=world.class_b,
            ),
            PrintJob.objects.create(
                school=world.school, term=printed, requested_by=world.admin, grade=3
            ),
        ]
        agreement_template_current(school=world.school)
        for job in jobs:
            # job, mark running, applications, guardians, savepoint +
            # template + release, totals, progress after the one part, done
            with django_assert_num_queries(10):
                print_job_run(job_id=job.pk)
        assert [j.done for j in PrintJob.objects.order_by("pk")] == [2, 5]


class TestPrintAgreementsCommand:
    def test_writes_the_class_pdf(self, world, printed, tmp_path, capsys):
        out = tmp_path / "class.pdf"
        call_command(
            "print_agreements", "--class", "三年级（1）班", "-o", str(out), "--school", "实验小学"
        )
        data = out.read_bytes()
        assert [n for _, n in agreement_heads(data)] == sorted(NAMES_A)
        assert "三年级（1）班：3 份协议书" in capsys.readouterr().out

    def test_grade_and_term_by_name(self, world, printed, tmp_path):
        out = tmp_path / "grade.pdf"
        call_command(
            "print_agreements",
            "--grade",
            "3",
            "--term",
            printed.name,
            "--school",
            "实验小学",
            "-o",
            str(out),
            verbosity=0,
        )
        assert len(agreement_heads(out.read_bytes())) == 5

    def test_unknown_class_exits_1_with_the_known_classes_and_writes_nothing(
        self, world, printed, tmp_path
    ):
        out = tmp_path / "x.pdf"
        with pytest.raises(CommandError) as exc:
            call_command(
                "print_agreements", "--class", "三年级9班", "--school", "实验小学", "-o", str(out)
            )
        assert exc.value.returncode == 1
        assert str(exc.value) == (
            "找不到班级“三年级9班”。2024年秋季学期的班级：三年级（1）班、三年级（2）班"
        )
        assert not out.exists()

    @pytest.mark.parametrize(
        "args, message",
        [
            (["--class", "3-1"], "有多所学校，请用 --school 指定学校名称。"),
            (["--class", "3-1", "--school", "无名小学"], "找不到学校“无名小学”。"),
            (
                ["--class", "3-1", "--school", "实验小学", "--term", "2030年春季学期"],
                "找不到学期“2030年春季学期”。本校的学期：2024年秋季学期",
            ),
            (["--grade", "12", "--school", "实验小学"], "年级应为 1 到 9，收到 12。"),
            (
                ["--grade", "5", "--school", "实验小学"],
                "五年级在2024年秋季学期没有学校已批准的申请，未生成文件。",
            ),
        ],
    )
    def test_bad_arguments_exit_1_with_a_chinese_message(
        self, world, printed, tmp_path, args, message
    ):
        out = tmp_path / "x.pdf"
        with pytest.raises(CommandError) as exc:
            call_command("print_agreements", *args, "-o", str(out))
        assert exc.value.returncode == 1
        assert str(exc.value) == message
        assert not out.exists()

    def test_class_or_grade_is_required(self, world, printed, tmp_path):
        with pytest.raises(CommandError, match="--class --grade"):
            call_command("print_agreements", "-o", str(tmp_path / "x.pdf"))

    @pytest.mark.parametrize(
        "name, expected",
        [
            ("三年级（2）班", (3, 2)),
            ("三年级(2)班", (3, 2)),
            ("三年级2班", (3, 2)),
            ("3-2", (3, 2)),
            ("6.12", (6, 12)),
            ("三年级", None),
            ("高三2班", None),
        ],
    )
    def test_class_names(self, name, expected):
        assert parse_class_name(name) == expected


class TestFamilyDownloads:
    def test_guardian_downloads_own_childs_signed_agreement(self, client, world, to_status):
        app = to_status(Status.APPROVED)
        agreement_sign(
            application=app, by=world.guardian_x.user, signed_name="张伟", consent=True, ip=None
        )
        response = login(client, world.guardian_x).get(
            reverse("enrollment:agreement-pdf", args=[app.pk])
        )
        assert "张小明" in flat(pdf_text(response.content))
