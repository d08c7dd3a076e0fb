"""python manage.py build_rota --term NAME [--school NAME]: generate the term's
sessions and supervision rota (keeps manual assignments)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from afterschool.models import Term
from scheduling.rota.services import rota_generate, sessions_generate


class Command(BaseCommand):
    help = "生成学期的课后服务课时与看班安排（保留手动调整）"

    def add_arguments(self, parser):
        parser.add_argument("--term", required=True, help="学期名称，如 2024年秋季学期")
        parser.add_argument("--school", help="学校名称（多所学校有同名学期时必填）")

    def handle(self, *args, term, school=None, **options):
        terms = Term.objects.filter(name=term).select_related("school")
        if school:
            terms = terms.filter(school__name=school)
        found = list(terms)
        if not found:
            raise CommandError(f"找不到学期：{term}")
        if len(found) > 1:
            raise CommandError(f"多所学校有学期 {term}，请用 --school 指定学校。")
        the_term = found[0]
        try:
            made = sessions_generate(term=the_term)
            report = rota_generate(term=the_term)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(
            f"{the_term.school} {the_term}：新增课时 {made.created}，删除 {made.deleted}；"
            f"自动安排 {report.assigned}，保留手动 {report.kept_manual}，"
            f"无人可排 {len(report.unassigned)}。"
        )
