"""``python manage.py load_demo``: build or refresh the demo school and print its logins.

The command lives in ``billing``, the top layer, because it composes every
app's demo builder in the order data flows (DESIGN.md): the school and its
people (afterschool.demo), then each later app adds its ``<app>/demo.py``
step here. Each step is idempotent; the whole load is one transaction.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from afterschool.demo import DemoSchool
from afterschool.demo import load_demo as load_school
from billing import demo as billing_demo
from enrollment import demo as enrollment_demo
from scheduling import demo as scheduling_demo
from scheduling import demo_clubs


def load_demo() -> DemoSchool:
    """Every app's demo data, in the order the work flows; one transaction."""
    with transaction.atomic():
        demo = load_school()
        enrollment_demo.build(demo)
        scheduling_demo.build(demo)  # after enrollment's step: reads approved applications
        demo_clubs.build(demo)  # clubs, windows, choices, allocation (after enrollment)
        billing_demo.build(demo)  # last: bills what the other steps enrolled
    return demo


class Command(BaseCommand):
    help = "创建或更新演示学校“阳光实验小学”（可重复运行），并列出演示账号。"

    def handle(self, *args, **options):
        demo = load_demo()
        school = demo.school
        self.stdout.write(
            self.style.SUCCESS(
                f"演示学校已就绪：{school.county}{school.name}，{demo.term}，"
                f"{len(demo.classes)} 个班级，{len(demo.students)} 名学生，"
                f"{len(demo.guardians)} 位家长，{len(demo.rooms)} 处场地。"
            )
        )
        self.stdout.write("演示账号（密码相同）：")
        width = max(len(login.role) for login in demo.logins)
        for login in demo.logins:
            # Pad with full-width spaces so the Chinese role column lines up.
            role = login.role + "\u3000" * (width - len(login.role))
            self.stdout.write(
                f"  {role}  {login.username:<12}  密码 {login.password}  — {login.hint}"
            )
