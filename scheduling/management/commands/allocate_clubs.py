"""python manage.py allocate_clubs --term NAME --seed N [--school NAME] [--publish]:
allocate the term's clubs by the ranked choices and print the report (the
same as the admin's 社团分配 page). The help and the output say what the
school decides in the page's words: ``--seed`` is the 抽签号 that breaks ties
between students with the same choices and priority, recorded with the run,
so the same number gives the same result."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from afterschool.models import Term
from scheduling.choice.selectors import run_report
from scheduling.choice.services import allocation_publish, allocation_run


class Command(BaseCommand):
    help = (
        "按家长填的志愿分配社团并打印结果：与填报先后无关，优先照顾优先保障群体；"
        "条件完全相同的学生争同一个名额时按抽签号决定，抽签号会记录下来，"
        "用同一个抽签号重新分配，结果完全相同"
    )

    def add_arguments(self, parser):
        parser.add_argument("--term", required=True, help="学期名称，如 2024年秋季学期")
        parser.add_argument(
            "--seed",
            required=True,
            type=int,
            metavar="抽签号",
            help="抽签号（非负整数）：只在志愿和优先条件完全相同的学生争同一个名额时用来抽签",
        )
        parser.add_argument("--school", help="学校名称（多所学校有同名学期时必填）")
        parser.add_argument("--publish", action="store_true", help="分配后立即发布给家长")

    def handle(self, *args, term, seed, school=None, publish=False, **options):
        if seed < 0:
            raise CommandError("抽签号必须是非负整数（0、1、2……）。")
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
            run = allocation_run(term=the_term, seed=seed, by=None)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        if publish:
            allocation_publish(run=run)
        report = run_report(run)
        out = self.stdout.write
        out(f"{the_term.school} {the_term} 社团分配 #{run.pk}（抽签号 {run.seed}）")
        out(f"分配规则：{run.objective}")
        out(
            f"参与分配 {run.students} 人：第一志愿 {run.got_first}，第二志愿 {run.got_second}，"
            f"第三志愿 {run.got_third}，未分配 {run.got_none}；未填志愿 {run.no_choice} 人。"
        )
        out(
            f"优先保障学生 {run.priority_students} 人，已分配 {run.priority_placed} 人；"
            f"满意度总分 {run.total_score}；用时 {run.seconds:.3f} 秒。"
        )
        out("各社团（已分配/名额，第一/二/三志愿，候补）：")
        for line in report.clubs:
            out(
                f"  {line.club.name}：{line.placed}/{line.club.capacity}，"
                f"{line.by_rank[1]}/{line.by_rank[2]}/{line.by_rank[3]}，候补 {len(line.waiting)}"
            )
        if report.unplaced:
            out(
                f"未分配到社团（{len(report.unplaced)} 人，"
                f"优先保障 {report.unplaced_priority} 人）："
            )
            for a in report.unplaced:
                star = "★" if a.is_priority else ""
                out(f"  {a.student.school_class.display_name} {a.student.name}{star}")
        out(f"抽签号 {run.seed} 已记录：用同一个抽签号重新分配，结果完全相同，可以复核。")
        out("已发布。" if publish else "未发布：在“社团分配”页面核对后发布。")
