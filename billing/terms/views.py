"""The admin's new term from the last: a preview of everything copied, as a
form to change before saving (school admin only)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from afterschool.access import school_admin_required
from afterschool.pages import errors_to_form
from afterschool.rollover.services import TERM_TIME_FIELDS
from afterschool.selectors import school_year_start
from billing.access import billing_term_for_user
from billing.policy.selectors import fee_policy_for
from billing.terms.forms import TermCopyForm
from billing.terms.services import term_next_from_last
from enrollment.agreements.services import agreement_template_current
from scheduling.calendar.days import term_schedule
from scheduling.models import Club
from scheduling.rota.selectors import rota_pattern, rota_pattern_grid
from scheduling.terms.selectors import pattern_targets


def _proposal(source) -> dict:
    """The next term's proposed values: autumn is followed by spring (a
    month after the last day, on a Monday), spring by autumn (September);
    the same length, times, featured day and fee standard."""
    autumn = "秋" in source.name
    if autumn:
        first = source.last_day + datetime.timedelta(days=28)
        name = f"{first.year}年春季学期"
    else:
        first = datetime.date(source.last_day.year, 9, 1)
        name = f"{first.year}年秋季学期"
    first += datetime.timedelta(days=(7 - first.weekday()) % 7)
    last = first + (source.last_day - source.first_day)
    if not autumn:
        last = min(last, datetime.date(first.year + 1, 1, 31))
    policy = fee_policy_for(source)
    return {
        "name": name,
        "first_day": first,
        "last_day": last,
        **{f: getattr(source, f) for f in TERM_TIME_FIELDS},
        "featured_weekday": term_schedule(source).featured_weekday,
        "rate_per_period": policy.rate_per_period,
        "periods_per_day": policy.periods_per_day,
    }


@login_required
@school_admin_required
def term_new(request):
    """GET: the preview of the term made from the last one (``?term=`` picks
    another of the school's terms); POST: create it."""
    source = billing_term_for_user(request.user, request.GET.get("term"))
    clubs = list(
        Club.objects.filter(term=source).select_related("teacher", "room").order_by("name")
    )
    choices = [(c.pk, f"{c.name}（{c.teacher}，{c.room}）") for c in clubs]
    pattern = rota_pattern(source)
    proposal = _proposal(source)
    initial = {**proposal, "clubs": [c.pk for c in clubs], "supervisors": [s.key for s in pattern]}
    form = TermCopyForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        club_choices=choices,
        supervisor_choices=[(s.key, f"{s.school_class} {s.slot} {s.supervisor}") for s in pattern],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = term_next_from_last(
                source=source,
                by=request.user,
                name=data["name"],
                first_day=data["first_day"],
                last_day=data["last_day"],
                times={f: data[f] for f in TERM_TIME_FIELDS},
                schedule={"featured_weekday": data["featured_weekday"]},
                policy={
                    "rate_per_period": data["rate_per_period"],
                    "periods_per_day": data["periods_per_day"],
                },
                club_ids=data["clubs"],
                supervisor_keys=data["supervisors"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _(
                    "已新建%(term)s：沿用社团 %(n)d 个、每周看班安排 %(s)d 项；"
                    "申请、协议和选课从头开始。"
                )
                % {"term": made.term, "n": made.clubs, "s": made.supervisors.copied},
            )
            if made.supervisors.not_placed:
                messages.warning(
                    request,
                    _(
                        "另有 %(n)d 项看班安排的班级在新学年没有对应班级（已毕业或尚未升级学年），"
                        "未沿用。"
                    )
                    % {"n": made.supervisors.not_placed},
                )
            return redirect(reverse("billing:policy") + f"?term={made.term.pk}")
    first_day = proposal["first_day"]
    if form.is_bound and form.is_valid():
        first_day = form.cleaned_data["first_day"]
    return render(
        request,
        "billing/term_new.html",
        {
            "title": _("由上学期新建学期"),
            "source": source,
            "form": form,
            "template": agreement_template_current(school=source.school),
            "pattern": _pattern_preview(source, pattern, first_day, form),
        },
    )


def _pattern_preview(source, pattern, first_day: datetime.date, form) -> dict:
    """The rota pattern's grid for the preview: each class with the class
    its supervisors go with in the new term's school year (``first_day``'s;
    ``None`` when there is none), and which slots are ticked."""
    start = school_year_start(first_day)
    targets = pattern_targets(pattern, school_id=source.school_id, start_year=start)
    grid = rota_pattern_grid(pattern)
    return {
        "grid": grid,
        "rows": [(klass, targets.get(klass.pk), cells) for klass, cells in grid.rows],
        "ticked": set(form["supervisors"].value() or []),
        "other_year": start != source.school_year.start_year,
    }
