"""``manage.py print_agreements --class NAME | --grade N [--term T] [--school S] -o FILE``.

Prints every approved 《课后服务协议书》 of a class or a grade as one PDF
(``enrollment.printing.pdf.agreements_pdf``: a few agreements per WeasyPrint
document, joined, so memory stays flat). Runs in the foreground whatever the size.
A class is named as on the pages (三年级（2）班, 三年级2班) or as 3-2 / 3.2.
Exits 1 with a Chinese message and writes no file when the school, term or
class is not found or nothing is approved.
"""

from __future__ import annotations

import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from pypdf import PdfReader

from afterschool.models import GRADE_NAMES, School, SchoolClass, Term
from afterschool.roster.cells import parse_class_name
from afterschool.selectors import current_term
from enrollment.agreements.services import agreement_template_current
from enrollment.printing.pdf import agreements_pdf
from enrollment.printing.selectors import agreements_to_print


class Command(BaseCommand):
    help = "将一个班或一个年级已批准的课后服务协议书打印为一个 PDF 文件。"

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--class", dest="class_name", help="班级，如 三年级（2）班 或 3-2")
        scope.add_argument("--grade", type=int, help="年级，如 3")
        parser.add_argument("--term", help="学期名称（默认：当前学期）")
        parser.add_argument("--school", help="学校名称（只有一所学校时可省略）")
        parser.add_argument("-o", "--output", required=True, help="输出的 PDF 文件")

    def _school(self, name: str | None) -> School:
        if name:
            school = School.objects.filter(name=name).first()
            if school is None:
                raise CommandError(f"找不到学校“{name}”。")
            return school
        schools = list(School.objects.order_by("name")[:2])
        if not schools:
            raise CommandError("还没有学校。")
        if len(schools) > 1:
            raise CommandError("有多所学校，请用 --school 指定学校名称。")
        return schools[0]

    def _term(self, school: School, name: str | None) -> Term:
        if name:
            term = Term.objects.filter(school=school, name=name).first()
            if term is None:
                names = "、".join(school.terms.values_list("name", flat=True)) or "无"
                raise CommandError(f"找不到学期“{name}”。本校的学期：{names}")
            return term
        term = current_term(school=school)
        if term is None:
            raise CommandError(f"{school.name}还没有学期。")
        return term

    def handle(self, *args, **options):
        school = self._school(options["school"])
        term = self._term(school, options["term"])
        school_class, grade = None, None
        if options["class_name"] is not None:
            classes = SchoolClass.objects.filter(school=school, school_year=term.school_year_id)
            parsed = parse_class_name(options["class_name"])
            school_class = (
                classes.filter(grade=parsed[0], number=parsed[1]).first() if parsed else None
            )
            if school_class is None:
                known = "、".join(c.display_name for c in classes.order_by("grade", "number"))
                raise CommandError(
                    f"找不到班级“{options['class_name']}”。{term.name}的班级：{known or '无'}"
                )
            label = school_class.display_name
        else:
            grade = options["grade"]
            if grade not in GRADE_NAMES:
                raise CommandError(f"年级应为 1 到 9，收到 {grade}。")
            label = GRADE_NAMES[grade]
        apps = list(
            agreements_to_print(
                school_id=school.pk, term=term, school_class=school_class, grade=grade
            )
        )
        if not apps:
            raise CommandError(f"{label}在{term.name}没有学校已批准的申请，未生成文件。")
        template = agreement_template_current(school=school)

        def progress(done: int) -> None:
            if options["verbosity"] >= 1:
                self.stderr.write(f"\r已生成 {done}/{len(apps)} 份", ending="")
                self.stderr.flush()

        data = agreements_pdf(apps, template=template, school=school, on_progress=progress)
        if options["verbosity"] >= 1:
            self.stderr.write("")
        path = Path(options["output"])
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"无法写入文件 {path}：{exc.strerror}") from None
        pages = len(PdfReader(io.BytesIO(data)).pages)
        self.stdout.write(
            self.style.SUCCESS(
                f"{label}：{len(apps)} 份协议书，共 {pages} 页，已写入 {path}"
                f"（{len(data) / 1024 / 1024:.1f} MB）。"
            )
        )
