"""django-tables2 tables of the review pages.

Cells come from ``render_<column>`` methods with ``format_html`` and URLs
built once per page (``afterschool.tables``): the class review page is what
every homeroom teacher opens several times a day in the enrollment weeks.
"""

from __future__ import annotations

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy as _

from afterschool.dates import month_day_time
from afterschool.models import Student
from afterschool.tables import FastTable, cell_text, per_language, safe, url_maker, yes_no
from enrollment.models import Application, Status

# Badge colour of each status (as templates/enrollment/_status_badge.html).
STATUS_CSS = {
    Status.APPROVED: "text-bg-success",
    Status.RETURNED: "text-bg-danger",
    Status.WITHDRAWN: "text-bg-secondary",
    Status.TERMINATED: "text-bg-secondary",
    Status.DRAFT: "text-bg-light border",
}
NAME_ATTRS = {"th": {"class": "text-nowrap col-name"}, "td": {"class": "text-nowrap col-name"}}
NOWRAP = {"th": {"class": "text-nowrap"}, "td": {"class": "text-nowrap"}}


@per_language
def _labels() -> dict:
    """The review table's translated badges and words, as plain (safe) strings."""
    return {
        "status_badge": {
            value: format_html(
                '<span class="badge {}">{}</span>', STATUS_CSS.get(value, "text-bg-primary"), label
            )
            for value, label in Status.choices
        },
        "priority_badge": {
            name: format_html(
                '<span class="badge text-bg-warning me-1">{}</span>',
                Student._meta.get_field(name).verbose_name,
            )
            for name in Student.PRIORITY_FIELDS
        },
        "part_label": {
            name: str(Application._meta.get_field(name).verbose_name)
            for name in Application.PART_FIELDS
        },
        "words": {
            "approve": escape(str(_("通过"))),
            "return": escape(str(_("退回"))),
            "view": escape(str(_("查看"))),
        },
    }


class SelectAllColumn(tables.Column):
    """Tick boxes for bulk approval; the header is a select-all box
    (static/js/review.js ticks every row's box)."""

    @property
    def header(self):
        return format_html(
            '<input type="checkbox" class="form-check-input" data-select-all="select" '
            'aria-label="{}">',
            _("全选待审核的申请"),
        )


class ApplicationReviewTable(FastTable):
    """班主任审核: one row per submitted application of the class, waiting
    ones first (``review_order``, annotated by
    ``enrollment.review.selectors.class_applications``). Each row is
    ``<tr id="app-<pk>">`` so actions come back to it."""

    select = SelectAllColumn(
        verbose_name=_("选择"),
        accessor="pk",
        orderable=False,
        exclude_from_export=True,
        attrs={"th": {"class": "col-select"}, "td": {"class": "col-select"}},
    )
    student = tables.Column(
        verbose_name=_("学生"),
        accessor="student__name",
        order_by=("student__name",),
        attrs=NAME_ATTRS,
    )
    priority = tables.Column(
        verbose_name=_("优先保障"), accessor="student", orderable=False, attrs=NOWRAP
    )
    status = tables.Column(
        verbose_name=_("状态"), order_by=("review_order", "student__name"), attrs=NOWRAP
    )
    parts = tables.Column(
        verbose_name=_("服务时段"), accessor="part_labels", orderable=False, attrs=NOWRAP
    )
    waiver_requested = tables.BooleanColumn(verbose_name=_("申请减免"))
    on_paper = tables.BooleanColumn(verbose_name=_("纸质"))
    submitted_at = tables.DateTimeColumn(
        verbose_name=_("提交时间"), format="n月j日 H:i", attrs=NOWRAP
    )
    actions = tables.Column(
        verbose_name=_("操作"),
        accessor="pk",
        orderable=False,
        exclude_from_export=True,
        attrs=NOWRAP,
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
        attrs = {"class": "table table-sm table-hover align-middle review-table"}
        empty_text = _("暂无已提交的申请。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Once per process, not per row: URLs (one reverse() each); translated
        # words and badges once per language.
        self.detail_url = url_maker("enrollment:application-detail")
        self.approve_url = url_maker("enrollment:application-approve")
        self.return_url = url_maker("enrollment:application-return")
        labels = _labels()
        self.status_badge = labels["status_badge"]
        self.priority_badge = labels["priority_badge"]
        self.part_label = labels["part_label"]
        self.words = labels["words"]
        self.tz = timezone.get_current_timezone()

    def row_attrs_html(self, record) -> str:
        return f' id="app-{int(record.pk)}"'

    def render_select(self, record):
        if record.status != Status.SUBMITTED:
            return ""
        return safe(
            '<input type="checkbox" class="form-check-input" name="select" '
            f'value="{int(record.pk)}" aria-label="{cell_text(record.student.name)}">'
        )

    def render_student(self, record):
        return safe(f'<a href="{self.detail_url(record.pk)}">{cell_text(record.student.name)}</a>')

    def render_priority(self, record):
        student = record.student
        badges = [b for name, b in self.priority_badge.items() if getattr(student, name)]
        return safe("".join(badges) or '<span class="text-muted">—</span>')

    def value_priority(self, record):
        return "、".join(record.student.priority_labels)

    def render_status(self, record):
        return self.status_badge[record.status]

    def value_status(self, record):
        return record.get_status_display()

    def render_parts(self, record):
        labels = [label for name, label in self.part_label.items() if getattr(record, name)]
        return "、".join(labels) or "—"

    def value_parts(self, record):
        return "、".join(record.part_labels)

    def render_waiver_requested(self, record):
        return yes_no(record.waiver_requested)

    def render_on_paper(self, record):
        return yes_no(record.on_paper)

    def render_submitted_at(self, record):
        if record.submitted_at is None:
            return "—"
        return month_day_time(record.submitted_at.astimezone(self.tz))

    def render_actions(self, record):
        """通过 posts the surrounding bulk form to the one-application URL
        (htmx swaps the row in place; without script the page reloads at the
        row); 退回 opens the reason page, which comes back to the row."""
        words = self.words
        html = ""
        if record.status == Status.SUBMITTED:
            url = self.approve_url(record.pk)
            html += (
                f'<button class="btn btn-sm btn-success" type="submit" formaction="{url}" '
                f'hx-post="{url}" hx-target="closest tr" hx-swap="outerHTML">'
                f"{words['approve']}</button> "
            )
        if record.status in (Status.SUBMITTED, Status.APPROVED_BY_HOMEROOM):
            html += (
                f'<a class="btn btn-sm btn-outline-danger" '
                f'href="{self.return_url(record.pk)}?from=review">{words["return"]}</a> '
            )
        html += (
            f'<a class="btn btn-sm btn-outline-secondary" '
            f'href="{self.detail_url(record.pk)}">{words["view"]}</a>'
        )
        return safe(html)
