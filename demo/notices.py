"""Demo notices, an announcement and pickup people (idempotent: every notice
carries a ``demo:`` dedupe key, rows are found by natural keys).

- 三年级（2）班's guardians get the 家长会 announcement (some have read it);
- the guardian 13800138001 has unread notices (a suspension, the
  agreement to sign) and a registered pickup person (张奶奶);
- the homeroom teacher hr_3_2 has an absent-without-leave alert.
"""

from __future__ import annotations

from afterschool.models import (
    Announcement,
    AnnouncementAudience,
    Guardian,
    NoticeKind,
    PickupPerson,
    User,
)
from afterschool.notices.services import (
    announcement_publish,
    notice_mark_read,
    notify,
    unread_notices_recount,
)
from demo.base import DemoSchool


def build(demo: DemoSchool) -> None:
    school = demo.school
    admin = User.objects.filter(school=school, username="admin").first()
    guardian = (
        Guardian.objects.filter(school=school, mobile="13800138001").select_related("user").first()
    )
    homeroom = User.objects.filter(school=school, username="hr_3_2").first()
    class_3_2 = demo.classes.get((3, 2))
    if (
        admin
        and class_3_2
        and not Announcement.objects.filter(school=school, title="三年级（2）班家长会通知").exists()
    ):
        ann = announcement_publish(
            school=school,
            by=admin,
            title="三年级（2）班家长会通知",
            body="本周五16:30在三年级（2）班教室召开家长会，介绍课后服务安排，请家长准时参加。",
            audience=AnnouncementAudience.CLASS,
            school_class=class_3_2,
        )
        for n in ann.notices.order_by("recipient__username")[:5]:
            notice_mark_read(notice=n)
    if guardian and guardian.user:
        notify(
            school=school,
            recipients=[guardian.user],
            kind=NoticeKind.APPLICATION_SCHOOL_APPROVED,
            title="课后服务申请学校已批准，请签署协议书",
            body="请在手机上阅读并签署课后服务协议书。",
            link="/enrollment/",
            dedupe_key="demo:agreement",
        )
        child = guardian.students.order_by("pk").first()
        if child is not None:
            PickupPerson.objects.get_or_create(
                student=child,
                mobile="13700137001",
                defaults={"name": "张奶奶", "relation": "祖母", "added_by": guardian.user},
            )
    if homeroom:
        notify(
            school=school,
            recipients=[homeroom],
            kind=NoticeKind.ABSENT_WITHOUT_LEAVE,
            title="三年级（2）班 一名学生未到且未请假",
            body="中午点名时该生未到，也没有获批的请假。请尽快确认孩子的去向。",
            link="/scheduling/absences/",
            dedupe_key="demo:absent",
        )
    # Every badge as the inboxes mark 未读, also in a database built before
    # the count was kept by that one rule (a run puts the demo back as built).
    unread_notices_recount(
        user_ids=User.objects.filter(notices__school=school).values_list("pk", flat=True).distinct()
    )
