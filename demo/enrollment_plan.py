"""What each family of the demo school did about enrollment, drawn before
it becomes rows (``demo.enrollment`` writes them): per class, how far its
review has gone; per family, the survey answer, an opt-out or the status its
application reached, the moves that brought it there and when, and the words
families, teachers and the school wrote.

Deterministic: a seeded random stream per class (``plan_class``).

The dates: the plans are written for a 2024 season (survey 19 August, term
2 September) and moved by whole weeks onto the demo's term (``Season``): a
running or finished term keeps its season before its first day; a coming
term's survey opened 11–17 days before the demo's today. Whatever would
happen after the demo's "now" has not happened yet (``Season.cut``): an
application stops at the last move before it.
"""

from __future__ import annotations

import contextlib
import datetime
import random
from contextvars import ContextVar
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from afterschool.models import Guardianship, Student
from demo.base import SEED
from demo.families import SIBLINGS_GUARDIAN_MOBILE, SINGLE_CHILD_GUARDIAN_MOBILE
from enrollment.models import Status, SurveyAnswer

S = Status
TZ = ZoneInfo("Asia/Shanghai")

# How far each class's review has gone (the rest: approved by the school).
STAGE_TO_SCHOOL = {(4, 1), (4, 2), (5, 4)}  # submitted, waiting for the school
STAGE_REVIEW = {(3, 1), (3, 3), (4, 3), (4, 4), (6, 4)}  # with the homeroom teacher
STAGE_MIXED = {(3, 2)}  # first batch approved, late ones to review (hr_3_2)

OPT_OUT_RATE = 0.12
NO_ANSWER_RATE = 0.03
PAPER_RATE = 0.08

# The one declined waiver: the first approved application of this class.
DECLINED_WAIVER_CLASS = (2, 1)

REASONS = (
    "父母下班晚，放学后家里没人接。",
    "我们双职工，下午五点半才下班，希望孩子在学校完成作业。",
    "孩子在学校写作业效率高，有老师辅导更放心。",
    "爷爷奶奶年纪大了，接送不方便。",
    "想让孩子参加学校的兴趣社团。",
    "家离学校远，中午回家来不及。",
    "工作时间不固定，需要学校帮忙看护。",
    "孩子想和同学一起参加书法和阅读活动。",
)
HEALTH_NOTES = ("", "", "", "", "", "", "花生过敏。", "有哮喘，书包里常备药。", "近视，需坐前排。")
RETURN_REASONS = (
    "请补充紧急联系人的电话。",
    "接送人与学生关系填写不清楚，请补充后重新提交。",
    "健康状况说明过于简单，请写明过敏情况。",
)
SCHOOL_RETURN_REASON = "接送人手机号无法接通，请核实后重新提交。"
WITHDRAW_REASONS = (
    "孩子奶奶来帮忙带孩子了，放学后由家里接。",
    "家里搬家转学，不再参加课后服务。",
    "孩子下午要上医院康复训练，申请退出。",
)
TERMINATE_REASON = "多次未经请假擅自离开服务场所，经教育屡教不改，按协议终止资格。"
WAIVER_REASONS = (
    "家庭是低保户，父亲长期生病，收入困难。",
    "建档立卡家庭，母亲一人打零工抚养两个孩子。",
    "父亲工伤在家，家庭收入很低。",
)
# The school gives a reason for every decision (enrollment.waivers.services).
APPROVE_REASON = "经班主任家访核实，符合家庭经济困难免收条件。"
DECLINE_REASON = "经核实，家庭不属于低保或建档立卡困难家庭，不予减免。"


def local_time(day: datetime.date, minutes: int) -> datetime.datetime:
    """A local time on ``day``, ``minutes`` after 08:00 (whole seconds)."""
    base = datetime.datetime.combine(day, datetime.time(8, 0), tzinfo=TZ)
    return base + datetime.timedelta(minutes=minutes)


BASE_FIRST_DAY = datetime.date(2024, 9, 2)  # the Monday the 2024 plans start term on
BASE_SURVEY_DAY = datetime.date(2024, 8, 19)


@dataclass(frozen=True)
class Season:
    """Where the 2024 plans land: ``shift`` (whole weeks, so weekdays hold)
    added to every 2024 date, ``now`` the cut-off (nothing at or after it has
    happened), ``complete`` for a finished term (every class approved)."""

    shift: datetime.timedelta = datetime.timedelta(0)
    now: datetime.datetime | None = None
    complete: bool = False

    def happened(self, at: datetime.datetime | None) -> bool:
        return at is not None and (self.now is None or at < self.now)


def season_for(
    *, first_day: datetime.date, now: datetime.datetime, complete: bool = False
) -> Season:
    """The ``Season`` of a term starting ``first_day`` seen at ``now``: a
    term started (or ``complete``) keeps the 2024 season's place before its
    first day; a coming term's survey opened 11–17 days before ``now``."""
    today = now.astimezone(TZ).date()
    if complete or first_day <= today:
        shift = first_day - BASE_FIRST_DAY
    else:
        weeks = ((today - datetime.timedelta(days=11)) - BASE_SURVEY_DAY).days // 7
        shift = datetime.timedelta(weeks=weeks)
    return Season(shift=datetime.timedelta(days=shift.days // 7 * 7), now=now, complete=complete)


_NO_SEASON = Season()  # outside ``in_season``: the 2024 dates, nothing cut
_season: ContextVar[Season] = ContextVar("demo_enrollment_season")


@contextlib.contextmanager
def in_season(season: Season):
    """Plan and write one term's enrollment in ``season`` (``day_2024`` and
    the move dates follow it)."""
    token = _season.set(season)
    try:
        yield season
    finally:
        _season.reset(token)


def current_season() -> Season:
    return _season.get(_NO_SEASON)


def day_2024(month: int, day: int) -> datetime.date:
    """A day of the 2024 enrollment season, moved onto the current term
    (``in_season``)."""
    return datetime.date(2024, month, day) + _season.get(_NO_SEASON).shift


def survey_opened_at() -> datetime.datetime:
    """The survey opens (and the agreement template is made) at 09:00 on
    "19 August"."""
    return local_time(day_2024(8, 19), 60)


@dataclass
class Plan:
    """What one student's family did, before it becomes rows."""

    student: Student
    guardian_name: str
    guardian_user_id: int | None
    relation: str
    mobile: str
    answer: str | None = None  # survey
    opt_out: bool = False
    status: str | None = None  # application
    on_paper: bool = False
    # (from, to, reason, user id, at)
    events: list[tuple] = field(default_factory=list)
    waiver: str | None = None  # WaiverStatus or None
    agreement: str | None = None  # "online" | "paper" | None
    submission: bool = False


def stage_of(key: tuple[int, int]) -> str:
    """How far the review of class ``(grade, number)`` has gone: "approved",
    "to_school", "review" or "mixed" (the ``STAGE_*`` sets; every class
    "approved" in a complete season)."""
    if _season.get(_NO_SEASON).complete:
        return "approved"
    if key in STAGE_TO_SCHOOL:
        return "to_school"
    if key in STAGE_REVIEW:
        return "review"
    if key in STAGE_MIXED:
        return "mixed"
    return "approved"


def _draw_status(rng: random.Random, stage: str) -> str:
    weights = {
        "approved": {S.APPROVED: 90, S.WITHDRAWN: 4, S.DRAFT: 3, S.SUBMITTED: 3},
        "to_school": {S.SUBMITTED_TO_SCHOOL: 90, S.RETURNED: 4, S.WITHDRAWN: 2, S.DRAFT: 4},
        "review": {
            S.SUBMITTED: 55,
            S.APPROVED_BY_HOMEROOM: 30,
            S.RETURNED: 8,
            S.DRAFT: 5,
            S.WITHDRAWN: 2,
        },
        "mixed": {
            S.APPROVED: 50,
            S.SUBMITTED: 30,
            S.APPROVED_BY_HOMEROOM: 10,
            S.RETURNED: 5,
            S.DRAFT: 5,
        },
    }[stage]
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# Who makes each move: "family" (guardian, or the teacher for paper forms),
# "homeroom", "admin".
_APPROVED_PATH = [
    (S.DRAFT, S.SUBMITTED, "family"),
    (S.SUBMITTED, S.APPROVED_BY_HOMEROOM, "homeroom"),
    (S.APPROVED_BY_HOMEROOM, S.SUBMITTED_TO_SCHOOL, "homeroom"),
    (S.SUBMITTED_TO_SCHOOL, S.APPROVED, "admin"),
]


def path_to(status: str, stage: str) -> list[tuple[str, str, str]]:
    """The moves that brought an application of a class at ``stage`` to
    ``status``, each (from, to, who)."""
    if status == S.DRAFT:
        return []
    if status == S.SUBMITTED:
        return _APPROVED_PATH[:1]
    if status == S.APPROVED_BY_HOMEROOM:
        return _APPROVED_PATH[:2]
    if status == S.SUBMITTED_TO_SCHOOL:
        return _APPROVED_PATH[:3]
    if status == S.APPROVED:
        return _APPROVED_PATH[:]
    if status == S.RETURNED:
        if stage == "to_school":
            return [*_APPROVED_PATH[:3], (S.SUBMITTED_TO_SCHOOL, S.RETURNED, "admin")]
        return [_APPROVED_PATH[0], (S.SUBMITTED, S.RETURNED, "homeroom")]
    if status == S.WITHDRAWN:
        if stage == "approved":
            return [*_APPROVED_PATH, (S.APPROVED, S.WITHDRAWN, "family")]
        return [_APPROVED_PATH[0], (S.SUBMITTED, S.WITHDRAWN, "family")]
    if status == S.TERMINATED:
        return [*_APPROVED_PATH, (S.APPROVED, S.TERMINATED, "admin")]
    raise ValueError(status)


# When each move happens (2024 date, days to spread over; minutes after
# 08:00 drawn per application).
_MOVE_DAY = {
    S.SUBMITTED: ((8, 21), 6),  # first day, spread over 6 days
    S.APPROVED_BY_HOMEROOM: ((8, 27), 2),
    S.SUBMITTED_TO_SCHOOL: ((8, 29), 1),
    S.APPROVED: ((8, 30), 1),
    S.RETURNED: ((8, 28), 2),
    S.WITHDRAWN: ((9, 16), 20),
    S.TERMINATED: ((10, 15), 1),
}


def move_day(status: str) -> tuple[datetime.date, int]:
    """(first day, spread in days) of the move to ``status`` in the current season."""
    (month, day), spread = _MOVE_DAY[status]
    return day_2024(month, day), spread


def late_submit() -> tuple[datetime.date, int]:
    """Late applications of classes still under review arrive after term starts."""
    return day_2024(9, 2), 5


def plan_class(
    key: tuple[int, int], students: list[Student], families: dict[int, Guardianship]
) -> list[Plan]:
    """What each family of class ``key`` did (one seeded stream per class): no
    answer, a written opt-out, or an application in a status its stage allows;
    in an approved class numbered 4, at most one place is terminated."""
    rng = random.Random(f"{SEED}:enrollment:{key[0]}:{key[1]}")
    stage = stage_of(key)
    plans = []
    terminated = False
    for student in students:
        link = families[student.pk]
        guardian = link.guardian
        plan = Plan(
            student=student,
            guardian_name=guardian.name,
            guardian_user_id=guardian.user_id,
            relation=link.relation,
            mobile=guardian.mobile,
        )
        plans.append(plan)
        draw = rng.random()
        if draw < NO_ANSWER_RATE:
            continue
        if draw < NO_ANSWER_RATE + OPT_OUT_RATE:
            plan.answer, plan.opt_out = SurveyAnswer.DECLINE, True
            continue
        plan.status = _draw_status(rng, stage)
        if plan.status == S.SUBMITTED and _season.get(_NO_SEASON).complete:
            plan.status = S.APPROVED  # a finished term left nothing to review
        if (
            stage == "approved"
            and not terminated
            and plan.status == S.APPROVED
            and (key[0] * 4 + key[1]) % 4 == 0
            and rng.random() < 0.2
        ):
            plan.status, terminated = S.TERMINATED, True
        plan.on_paper = rng.random() < PAPER_RATE
        plan.answer = SurveyAnswer.JOIN
        if plan.status == S.DRAFT and rng.random() < 0.5:
            plan.answer = SurveyAnswer.UNDECIDED
    return plans


def override_demo_families(plans: list[Plan]) -> None:
    """The two demo families' states (module docstring)."""
    for plan in plans:
        grade = plan.student.school_class.grade
        if plan.mobile == SIBLINGS_GUARDIAN_MOBILE:
            plan.answer, plan.opt_out, plan.on_paper = SurveyAnswer.JOIN, False, False
            plan.status = S.APPROVED
            plan.agreement = "online" if grade == 1 or _season.get(_NO_SEASON).complete else "none"
        elif plan.mobile == SINGLE_CHILD_GUARDIAN_MOBILE and _season.get(_NO_SEASON).complete:
            plan.answer, plan.opt_out, plan.on_paper = SurveyAnswer.JOIN, False, False
            plan.status = S.APPROVED
        elif plan.mobile == SINGLE_CHILD_GUARDIAN_MOBILE:
            plan.answer, plan.opt_out, plan.on_paper = SurveyAnswer.JOIN, False, False
            plan.status = S.RETURNED
