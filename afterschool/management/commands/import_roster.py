"""``python manage.py import_roster FILE --school NAME --year 2024 [--dry-run] [--letters DIR]``.

Imports a roster file all or nothing (``afterschool.roster.importer``). On
problems it prints one Chinese line per problem and exits non-zero with
nothing written.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from afterschool.activation import activation_letters_pdf
from afterschool.models import SchoolClass
from afterschool.roster.importer import RosterInvalid, roster_import
from afterschool.roster.parse import RosterFileError, roster_parse


class Command(BaseCommand):
    help = "导入学生名册（.xlsx 或 .csv），全部正确才写入；可生成各班激活信 PDF。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="名册文件（.xlsx 或 .csv）")
        parser.add_argument("--school", required=True, help="学校名称（不存在则新建）")
        parser.add_argument(
            "--year", type=int, required=True, help="学年起始年份，如 2024 表示2024—2025学年"
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
        parser.add_argument("--letters", metavar="DIR", help="为每个班生成激活信 PDF 到该目录")
        parser.add_argument(
            "--site-url",
            default=settings.SITE_URL or "http://127.0.0.1:8000",
            help="激活信上印的网址",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if options["dry_run"] and options["letters"]:
            raise CommandError("--dry-run 与 --letters 不能同时使用")
        if not 2000 <= options["year"] <= 2100:
            raise CommandError("--year 应为学年起始年份，如 2024")
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from None
        try:
            roster = roster_parse(filename=path.name, content=content)
            summary = roster_import(
                roster=roster,
                start_year=options["year"],
                school_name=options["school"],
                dry_run=options["dry_run"],
            )
        except RosterFileError as exc:
            raise CommandError(str(exc)) from None
        except RosterInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"名册有 {len(exc.problems)} 处问题，未导入任何数据") from None

        if options["dry_run"]:
            self.stdout.write("试运行：以下为将要写入的内容，未写入任何数据")
        for line in summary.lines():
            self.stdout.write(line)
        if options["letters"]:
            out = Path(options["letters"])
            out.mkdir(parents=True, exist_ok=True)
            classes = SchoolClass.objects.filter(pk__in=summary.class_ids).select_related(
                "school", "school_year"
            )
            for school_class in classes:
                pdf = activation_letters_pdf(
                    school_class=school_class, site_url=options["site_url"]
                )
                target = out / f"{school_class.display_name}激活信.pdf"
                target.write_bytes(pdf)
                self.stdout.write(f"激活信：{target}")
        if not options["dry_run"]:
            self.stdout.write(self.style.SUCCESS("导入完成"))
