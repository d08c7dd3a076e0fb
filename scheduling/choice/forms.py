"""Forms of the club-choice pages; services write (STYLE.md §4)."""

from __future__ import annotations

import random

from django import forms
from django.utils.translation import gettext_lazy as _

from afterschool.models import GRADE_NAMES, SchoolClass, Term
from scheduling.calendar.forms import CrispyMixin
from scheduling.models import Club, WindowScope

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
RANK_LABELS = (_("第一志愿"), _("第二志愿"), _("第三志愿"))


class ChoiceWindowForm(CrispyMixin, forms.Form):
    scope = forms.ChoiceField(label=_("范围"), choices=WindowScope.choices)
    grade = forms.TypedChoiceField(
        label=_("年级"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", _("请选择"))] + [(g, GRADE_NAMES[g]) for g in range(1, 7)],
    )
    school_class = forms.ModelChoiceField(
        label=_("班级"), queryset=SchoolClass.objects.none(), required=False
    )
    opens_at = forms.DateTimeField(
        label=_("开始时间"), widget=DATETIME_WIDGET, input_formats=["%Y-%m-%dT%H:%M"]
    )
    closes_at = forms.DateTimeField(
        label=_("结束时间"), widget=DATETIME_WIDGET, input_formats=["%Y-%m-%dT%H:%M"]
    )

    def __init__(self, *args, term: Term, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = SchoolClass.objects.filter(
            school_id=term.school_id, school_year_id=term.school_year_id
        )
        self._helper()


class ClubChoiceForm(forms.Form):
    """Three selects, first choice first, over the clubs open to the child."""

    def __init__(self, *args, clubs: list[Club], initial_ids: list[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        options = [("", _("（不填）"))] + [
            (c.pk, f"{c.name}（{c.get_category_display()}）") for c in clubs
        ]
        initial_ids = initial_ids or []
        for i, label in enumerate(RANK_LABELS):
            self.fields[f"rank{i + 1}"] = forms.TypedChoiceField(
                label=label,
                choices=options,
                coerce=int,
                required=False,
                empty_value=None,
                initial=initial_ids[i] if i < len(initial_ids) else "",
            )

    def club_ids(self) -> list[int | None]:
        return [self.cleaned_data.get(f"rank{i + 1}") for i in range(len(RANK_LABELS))]


class ClubRanksForm(forms.Form):
    """The submitted ranks as club ids, before anything is read: the fast
    path of the choice POST (``club_choices_save`` checks each club against
    the term and the child's grade)."""

    rank1 = forms.IntegerField(required=False, min_value=1)
    rank2 = forms.IntegerField(required=False, min_value=1)
    rank3 = forms.IntegerField(required=False, min_value=1)

    def club_ids(self) -> list[int | None]:
        return [self.cleaned_data.get(f"rank{i + 1}") for i in range(len(RANK_LABELS))]


class AllocationRunForm(CrispyMixin, forms.Form):
    seed = forms.IntegerField(
        label=_("抽签号"),
        min_value=0,
        max_value=2**53,
        help_text=_(
            "只在志愿和优先条件完全相同的学生争同一个名额时用来抽签。号码会记录下来，"
            "用同一个号码重新分配，结果完全相同；一般直接使用给出的号码即可。"
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"seed": random.SystemRandom().randrange(1, 1_000_000)})
        super().__init__(*args, **kwargs)
        self._helper()


class AllocationMoveForm(forms.Form):
    club = forms.ModelChoiceField(label=_("调整到"), queryset=Club.objects.none())

    def __init__(self, *args, term: Term, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["club"].queryset = Club.objects.filter(term=term)
