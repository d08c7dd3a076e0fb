"""``python manage.py load_demo``: build or refresh the demo school and print its logins."""

from django.core.management.base import BaseCommand

from afterschool.demo import load_demo


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
