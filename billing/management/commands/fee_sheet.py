"""``python manage.py fee_sheet --month 2024-09 [--class NAME] [--school NAME] -o FILE``

Writes the school's (or one class's) fee sheet for a month — or, with
``--term``, for the whole term — as .pdf, .xlsx or .csv (by the file's
extension), the same document the fee-sheet page downloads.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from afterschool.models import School, SchoolClass, Term
from billing.sheets.export import FORMATS, render_sheet
from billing.sheets.selectors import fee_sheet


def _parse_month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"月份格式应为 YYYY-MM，例如 2024-09（收到“{value}”）。") from None


def _find_class(school: School, term: Term, name: str) -> SchoolClass:
    classes = SchoolClass.objects.filter(school=school, school_year=term.school_year)
    wanted = name.replace("(", "（").replace(")", "）")
    for c in classes:
        if wanted in (c.display_name, f"{c.grade}-{c.number}", f"{c.grade}.{c.number}"):
            return c
    raise CommandError(f"找不到班级“{name}”（可写作 三年级（2）班 或 3-2）。")


class Command(BaseCommand):
    help = "导出课后服务收费明细表（PDF、Excel 或 CSV）。"

    def add_arguments(self, parser):
        parser.add_argument("--month", help="月份，例如 2024-09")
        parser.add_argument("--term", help="学期名称，导出整个学期，例如 2024年秋季学期")
        parser.add_argument("--class", dest="class_name", help="班级，例如 三年级（2）班 或 3-2")
        parser.add_argument("--school", help="学校名称（系统中只有一所学校时可省略）")
        parser.add_argument("-o", "--output", required=True, help="输出文件 .pdf / .xlsx / .csv")

    def handle(self, *args, **opts):
        out = Path(opts["output"])
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError("输出文件的扩展名应为 .pdf、.xlsx 或 .csv。")
        if not opts["month"] and not opts["term"]:
            raise CommandError("请用 --month 指定月份，或用 --term 指定学期。")
        schools = School.objects.all()
        if opts["school"]:
            schools = schools.filter(name=opts["school"])
        schools = list(schools[:2])
        if not schools:
            raise CommandError(f"找不到学校“{opts['school']}”。")
        if len(schools) > 1:
            raise CommandError("系统中有多所学校，请用 --school 指定学校名称。")
        school = schools[0]
        month = _parse_month(opts["month"]) if opts["month"] else None
        terms = Term.objects.filter(school=school).select_related("school", "school_year")
        if opts["term"]:
            term = terms.filter(name=opts["term"]).first()
        else:
            term = terms.filter(first_day__lte=month.replace(day=28)).order_by("-first_day").first()
            if term and term.last_day < month:
                term = None
        if term is None:
            raise CommandError("找不到对应的学期。")
        school_class = _find_class(school, term, opts["class_name"]) if opts["class_name"] else None
        sheet = fee_sheet(term=term, month=month, school_class=school_class)
        out.write_bytes(render_sheet(sheet, fmt))
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出 {sheet.title}（{sheet.period_label}）：{len(sheet.rows)} 名学生，"
                f"应缴合计 {sheet.totals.total} 元 → {out}"
            )
        )
