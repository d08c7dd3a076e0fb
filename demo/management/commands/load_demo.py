"""``python manage.py load_demo``: build or refresh the demo school and print its logins.

The steps and their order are ``demo.load.load_demo``; this command prints
what was built and the demo logins (the README's table).
"""

import argparse
import datetime

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"请按 YYYY-MM-DD 填写日期，而不是 {value!r}。") from None


class Command(BaseCommand):
    help = "创建或更新演示学校“阳光实验小学”（可重复运行），并列出演示账号。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=_date,
            default=None,
            help="按这一天（YYYY-MM-DD）构建演示数据；默认取环境变量 DEMO_TODAY，否则为今天。",
        )

    def handle(self, *args, **options):
        try:
            from demo.load import load_demo
        except ModuleNotFoundError as error:  # faker: the "demo" extra, not a runtime dependency
            if error.name != "faker":
                raise
            raise CommandError(
                "演示数据需要 faker：pip install -c constraints.txt -e '.[demo]'"
            ) from error
        try:
            demo = load_demo(options["today"])
        except ImproperlyConfigured as error:  # a DEMO_TODAY that is not a date
            raise CommandError(str(error)) from error
        school = demo.school
        state = "进行中" if demo.term_running else "即将开学，报名进行中"
        self.stdout.write(
            self.style.SUCCESS(
                f"演示学校已就绪（演示日期 {demo.today:%Y-%m-%d}）：{school.county}{school.name}，"
                f"{demo.term}（{state}），上一学期 {demo.previous_term}（已结束），"
                f"{len(demo.classes)} 个班级，{len(demo.students)} 名学生，"
                f"{len(demo.guardians)} 位家长，{len(demo.rooms)} 处场地。"
            )
        )
        if demo.previous_classes:
            self.stdout.write(
                f"上一学期属于{demo.previous_school_year}：它的 {len(demo.previous_classes)} 个班级"
                "保留当时的学生（今年升了一级；当年的六年级已毕业）。"
            )
        self.stdout.write("演示账号（密码相同）：")
        width = max(len(login.role) for login in demo.logins)
        for login in demo.logins:
            # Pad with full-width spaces so the Chinese role column lines up.
            role = login.role + "\u3000" * (width - len(login.role))
            self.stdout.write(
                f"  {role}  {login.username:<12}  密码 {login.password}  — {login.hint}"
            )
