"""Teacher workload (课时数计入工作量): periods supervised, rolls taken and
club meetings led per person per month, with the subsidy; table and PDF."""

from __future__ import annotations

import io
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from afterschool.models import RoomKind
from billing.policy.services import fee_policy_save
from billing.workload.selectors import workload
from enrollment.models import Application
from scheduling.clubs.services import club_save
from scheduling.models import Attendance, Period, Session
from scheduling.rota.services import rota_generate, sessions_generate
from tests import factories as f
from tests.billing.conftest import SEPT, enrol


@pytest.fixture
def rota(world, term):
    world.class_a.room = f.make_room(world.school, "三（1）教室", RoomKind.CLASSROOM)
    world.class_a.save()
    world.class_b.room = f.make_room(world.school, "三（2）教室", RoomKind.CLASSROOM)
    world.class_b.save()
    # Both classes enrolled for both periods when the timetable is made
    # (sessions are only made for classes with enrolled children) ...
    enrol(world.child_x, term, by=world.admin)
    enrol(world.child_y, term, by=world.admin)
    sessions_generate(term=term)
    rota_generate(term=term)
    # ... then class B's only child drops the after-school period: its
    # after-school sessions have nobody to look after.
    Application.objects.filter(student=world.child_y, term=term).update(wants_after_school=False)
    club_save(
        term=term,
        name="合唱团",
        category="music",
        min_grade=3,
        max_grade=6,
        capacity=30,
        teacher=world.teacher,
        room=f.make_room(world.school, "音乐室", RoomKind.MUSIC),
    )
    fee_policy_save(term=term, data={"workload_rate_per_period": Decimal("25.50")}, by=world.admin)
    return term


@pytest.mark.django_db
class TestWorkload:
    def test_rows_match_the_rota_and_club_dates(self, world, rota):
        rows = {r.person.pk: r for r in workload(term=rota, month=SEPT)}
        scheduled = Session.objects.filter(term=rota, date__month=9)
        # September's basic sessions: 2 classes × 2 periods × 21 days, less
        # the 4 featured Thursdays' after-school period (clubs then) = 76 ...
        assert scheduled.count() == 76
        # ... of which class B's 17 after-school ones have no child enrolled:
        # 76 − 17 = 59 are workload.
        sessions = scheduled.exclude(school_class=world.class_b, period=Period.AFTER_SCHOOL)
        assert sum(r.supervised for r in rows.values()) == sessions.count() == 59
        for pk, r in rows.items():
            assert r.supervised == sessions.filter(supervisor_id=pk).count()
        # 合唱团 meets on the featured Thursday: 5, 12, 19, 26 Sep.
        assert rows[world.teacher.pk].club_sessions == 4
        r = rows[world.teacher.pk]
        assert r.subsidy == Decimal("25.50") * r.periods

    def test_sessions_without_enrolled_students_pay_no_subsidy_unless_a_roll_was_taken(
        self, world, rota
    ):
        empty = Session.objects.filter(
            term=rota, date__month=9, school_class=world.class_b, period=Period.AFTER_SCHOOL
        ).order_by("date")
        teacher = empty[0].supervisor_id
        counted = {r.person.pk: r.supervised for r in workload(term=rota, month=SEPT)}
        mine = Session.objects.filter(term=rota, date__month=9, supervisor_id=teacher)
        assert counted.get(teacher, 0) == mine.count() - mine.filter(pk__in=empty).count()
        Attendance.objects.create(
            session=empty[0], date=empty[0].date, period=empty[0].period, student=world.child_y
        )
        again = {r.person.pk: r.supervised for r in workload(term=rota, month=SEPT)}
        assert again.get(teacher, 0) == counted.get(teacher, 0) + 1

    def test_rolls_counted_where_taken(self, world, rota):
        session = Session.objects.filter(term=rota, date__month=9).first()
        Attendance.objects.create(
            session=session, date=session.date, period=session.period, student=world.child_x
        )
        rows = {r.person.pk: r for r in workload(term=rota, month=SEPT)}
        assert rows[session.supervisor_id].rolls == 1
        assert sum(r.rolls for r in rows.values()) == 1

    def test_page_and_pdf(self, client, world, rota):
        client.force_login(world.admin)
        body = client.get(reverse("billing:workload") + "?month=2024-09").content.decode()
        assert "钱老师" in body and "合计" in body
        assert "没有学生报名的课时不计工作量" in body
        r = client.get(reverse("billing:workload") + "?month=2024-09&format=pdf")
        assert r["Content-Type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
        assert "教师工作量统计表" in text and "钱老师" in text and "绩效考核" in text
        total = sum(x.subsidy for x in workload(term=rota, month=SEPT))
        assert f"{total}" in text.replace(" ", "")

    def test_rate_saved_from_the_page(self, client, world, rota):
        client.force_login(world.admin)
        r = client.post(
            reverse("billing:workload"),
            {"term": rota.pk, "month": "2024-09", "workload_rate_per_period": "30"},
        )
        assert r.status_code == 302
        rows = workload(term=rota, month=SEPT)
        assert all(x.rate == Decimal("30.00") for x in rows)

    def test_pdf_has_cjk_font_embedded(self, client, world, rota, tmp_path):
        client.force_login(world.admin)
        r = client.get(reverse("billing:workload") + "?month=2024-09&format=pdf")
        path = tmp_path / "w.pdf"
        path.write_bytes(r.content)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        assert any("CJK" in ln and " yes " in ln for ln in fonts.splitlines())
