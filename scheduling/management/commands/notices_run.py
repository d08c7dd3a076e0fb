"""python manage.py notices_run: the periodic job (cron every few minutes, or
the worker host's timer) for notices: the 安全共管 alerts that depend on the
clock (roll not taken, child not collected), the club-choice reminders, and
the outside deliveries whose retry is due."""

from django.core.management.base import BaseCommand

from afterschool.notices.tasks import deliveries_send_due
from scheduling.attendance.alerts import (
    choice_windows_closing_alert,
    not_collected_alert,
    rolls_not_taken_alert,
)


class Command(BaseCommand):
    help = "检查未按时点名、放学后未被接走、选课即将截止，并发送到期的通知"

    def handle(self, *args, **options):
        rolls = rolls_not_taken_alert()
        children = not_collected_alert()
        windows = choice_windows_closing_alert()
        sent = deliveries_send_due()
        self.stdout.write(
            f"未点名课时 {rolls} 个，未接走学生 {children} 名，选课截止提醒 {windows} 个，"
            f"重发通知 {sent} 条。"
        )
