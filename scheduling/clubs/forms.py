"""Forms of the club pages; services write (STYLE.md §4)."""

from __future__ import annotations

from django import forms

from afterschool.models import Room, School
from scheduling.calendar.forms import CrispyMixin
from scheduling.models import CLUB_TEACHER_ROLES, Club
from scheduling.rota.selectors import staff_of


class ClubForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Club
        fields = [
            "name",
            "category",
            "min_grade",
            "max_grade",
            "capacity",
            "teacher",
            "room",
            "weekday",
            "period",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = staff_of(school, CLUB_TEACHER_ROLES)
        self.fields["room"].queryset = Room.objects.filter(school=school)
        self.fields["teacher"].label_from_instance = lambda u: f"{u}（{u.get_role_display()}）"
        self.fields["room"].label_from_instance = lambda r: (
            f"{r}（{r.get_kind_display()}，{r.capacity}人）"
        )
        self._helper()

    def _post_clean(self):
        # The service validates the whole club (room, clashes); skip the model's
        # own full_clean so unique-constraint checks do not run twice.
        pass
