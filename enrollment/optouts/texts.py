"""The wording of the 放弃申请 declaration (seed 一.5 (6)): frozen into each
``OptOut`` and printed on the blank paper form."""

from __future__ import annotations

from django.utils.translation import gettext as _

from afterschool.models import Student, Term
from afterschool.selectors import term_times_text


def opt_out_statement(*, term: Term, student: Student | None = None) -> str:
    """The written declaration (放弃申请, seed 一.5 (6)) with the term's
    times: the family takes charge after normal dismissal (17:20 by default).
    Without ``student`` the class and name are blank lines, for the printed
    form families fill in by hand."""
    times = term_times_text(term)
    blank = "________"
    return _(
        "本人是%(class)s学生%(student)s的家长（监护人），已知晓学校%(term)s课后服务安排，"
        "自愿放弃参加课后服务。学生按规定时间正常上下学：下午%(arrival)s到校，"
        "%(dismissal)s放学。放学后由家庭负责接送和监护，安全责任由家庭承担。"
    ) % {
        "class": student.school_class.display_name if student else blank,
        "student": student.name if student else blank,
        "term": term.name,
        "arrival": times["nonparticipant_arrival"],
        "dismissal": times["nonparticipant_dismissal"],
    }
