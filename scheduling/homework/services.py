"""Publishing the day's homework of a class (作业公示)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from afterschool.models import SchoolClass, User
from afterschool.selectors import school_year_start
from scheduling.access import can_publish_homework
from scheduling.models import NO_WRITTEN_HOMEWORK_GRADES, Homework


@transaction.atomic
def homework_publish(
    *,
    school_class: SchoolClass,
    date: datetime.date,
    subject: str,
    content: str,
    is_written: bool,
    minutes: int,
    by: User,
) -> Homework:
    """Publish (or correct) ``subject``'s homework of ``school_class`` on
    ``date`` with its estimated ``minutes``; one row per class, day and
    subject, so a second submit updates it instead of adding one.

    Raises ``PermissionDenied`` when ``by`` may not publish for the class
    (``scheduling.access.can_publish_homework``), ``ValidationError`` when the
    class is not of ``date``'s school year, and for
    written homework in grades 1–2 (seed 小学开展"双减"工作实施方案 二.4:
    一、二年级不布置课外书面作业). A day total above the grade's cap is allowed
    but flagged (``selectors.class_homework_day``)."""
    if not can_publish_homework(by, school_class):
        raise PermissionDenied
    if school_class.school_year.start_year != school_year_start(date):
        # Last year's 三年级（2）班 is now another class's children's past.
        raise ValidationError(_("%(cls)s不是该日期所在学年的班级。") % {"cls": school_class})
    subject = subject.strip()
    if is_written and school_class.grade in NO_WRITTEN_HOMEWORK_GRADES:
        raise ValidationError(
            _("一、二年级不布置课外书面作业（学校“双减”实施方案二.4），请改为非书面作业。")
        )
    homework, _created = Homework.objects.update_or_create(
        school_class=school_class,
        date=date,
        subject=subject,
        defaults={
            "school": school_class.school,
            "content": content.strip(),
            "is_written": is_written,
            "minutes": minutes,
            "set_by": by,
        },
    )
    return homework
