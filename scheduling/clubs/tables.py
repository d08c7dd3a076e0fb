"""django-tables2 tables of the scheduling pages."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from scheduling.models import Club


class ClubTable(tables.Table):
    name = tables.LinkColumn("scheduling:club-edit", args=[tables.A("pk")], verbose_name=_("社团"))
    grades = tables.Column(accessor="grades_display", verbose_name=_("年级"), orderable=False)
    slot = tables.TemplateColumn(
        "{{ record.get_weekday_display }} {{ record.get_period_display }}",
        verbose_name=_("时间"),
        orderable=False,
    )

    class Meta:
        model = Club
        fields = ["name", "category", "grades", "capacity", "teacher", "room", "slot"]
        orderable = False
        empty_text = _("本学期还没有社团。")
