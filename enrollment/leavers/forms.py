"""The mark-as-left form of the roster preview (STYLE.md §4)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from enrollment.leavers.services import LEAVE_REASONS


class LeaversForm(forms.Form):
    """Which students (``student`` ids, or ``all`` of those not in the
    file), from which date, for which reason."""

    student = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    all = forms.BooleanField(required=False)
    left_on = forms.DateField(label=_("离校日期"))
    reason = forms.ChoiceField(label=_("原因"), choices=[(r.value, r.label) for r in LEAVE_REASONS])

    def __init__(self, *args, missing_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.missing_ids = missing_ids
        self.fields["student"].choices = [(pk, pk) for pk in missing_ids]

    def clean(self):
        data = super().clean()
        chosen = self.missing_ids if data.get("all") else data.get("student") or []
        if not chosen:
            raise forms.ValidationError(_("请勾选要标记为离校的学生，或选择“全部”。"))
        data["student_ids"] = list(chosen)
        return data
