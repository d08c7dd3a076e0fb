"""django-tables2 tables of the review pages."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from enrollment.models import Application, Status


class SelectColumn(tables.CheckBoxColumn):
    """Tick boxes for bulk approval, on rows still waiting for review only;
    the header is a word (a select-all box would need script)."""

    @property
    def header(self):
        return _("选择")

    def render(self, value, bound_column, record):
        if record.status != Status.SUBMITTED:
            return ""
        return super().render(value, bound_column, record)


class ApplicationReviewTable(tables.Table):
    """班主任审核: one row per submitted application of the class."""

    select = SelectColumn(accessor="pk", orderable=False)
    student = tables.Column(
        verbose_name=_("学生"),
        accessor="student__name",
        linkify=("enrollment:application-detail", {"pk": tables.A("pk")}),
        order_by=("student__name",),
        # Names never wrap (刘可/瑶 at 1280 px).
        attrs={"th": {"class": "text-nowrap"}, "td": {"class": "text-nowrap"}},
    )
    priority = tables.TemplateColumn(
        template_name="enrollment/_priority_badges.html",
        verbose_name=_("优先保障"),
        accessor="student",
        orderable=False,
    )
    status = tables.Column(verbose_name=_("状态"))
    parts = tables.Column(verbose_name=_("服务时段"), accessor="part_labels", orderable=False)
    waiver_requested = tables.BooleanColumn(verbose_name=_("申请减免"))
    on_paper = tables.BooleanColumn(verbose_name=_("纸质"))
    submitted_at = tables.DateTimeColumn(verbose_name=_("提交时间"), format="Y-m-d H:i")
    actions = tables.TemplateColumn(
        template_name="enrollment/_review_actions.html", verbose_name=_("操作"), orderable=False
    )

    class Meta:
        model = Application
        fields = ()
        sequence = (
            "select",
            "student",
            "priority",
            "status",
            "parts",
            "waiver_requested",
            "on_paper",
            "submitted_at",
            "actions",
        )
        order_by = ("status", "student")
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("暂无已提交的申请。")

    def render_parts(self, value):
        return "、".join(value) or "—"
