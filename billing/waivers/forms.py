"""The waiver form: validates and normalises only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from afterschool.people.tables import masked_student_number
from billing.models import Waiver, WaiverKind


class WaiverForm(forms.ModelForm):
    student = forms.ModelChoiceField(label=_("学生"), queryset=None)

    class Meta:
        model = Waiver
        fields = ("student", "kind", "amount", "percent", "effective_from", "reason")
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, students=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students
        self.fields["student"].label_from_instance = lambda s: (
            f"{s.school_class.display_name} {s.name}（{masked_student_number(s)}）"
        )
        self.fields["kind"].initial = WaiverKind.FULL

    def validate_unique(self):
        # The service reports duplicates in Chinese; nothing to check here.
        pass
