"""The rollover form: a homeroom teacher per promoted class (STYLE.md §4)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from afterschool.rollover.services import RolloverPlanRow


class RolloverForm(forms.Form):
    """One ``teacher_<class pk>`` choice per class that moves up, defaulting
    to the class's teacher; a confirmation box."""

    confirm = forms.BooleanField(
        label=_("我已核对升级方案：升级后上一学年的记录保持不变，毕业年级离校。"),
        required=True,
        error_messages={"required": _("请核对升级方案并勾选确认后再升级。")},
    )

    def __init__(self, *args, plan: list[RolloverPlanRow], teachers, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        for row in plan:
            if row.graduates:
                continue
            self.fields[f"teacher_{row.source.pk}"] = forms.ModelChoiceField(
                label=row.source.display_name,
                queryset=teachers,
                required=False,
                initial=row.source.homeroom_teacher_id,
                empty_label=_("（暂不指定）"),
            )

    def rows(self):
        """(plan row, its bound teacher field or None) for the template."""
        return [
            (row, None if row.graduates else self[f"teacher_{row.source.pk}"]) for row in self.plan
        ]

    def homeroom_teachers(self) -> dict[int, object]:
        """Source class pk → chosen teacher (or None), after ``is_valid``."""
        return {
            row.source.pk: self.cleaned_data.get(f"teacher_{row.source.pk}")
            for row in self.plan
            if not row.graduates
        }
