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
from afterschool.rollover.services import TERM_TIME_FIELDS
from billing.access import billing_term_for_user
from billing.http import errors_to_form
from billing.policy.selectors import fee_policy_for
from billing.terms.forms import TermCopyForm
from billing.terms.services import term_next_from_last
from enrollment.agreements.services import agreement_template_current
from scheduling.calendar.days import term_schedule
from scheduling.models import Club


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
    initial = {**_proposal(source), "clubs": [c.pk for c in clubs]}
    form = TermCopyForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        club_choices=choices,
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
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("已新建%(term)s：沿用社团 %(n)d 个；申请、协议和选课从头开始。")
                % {"term": made.term, "n": made.clubs},
            )
            return redirect(reverse("billing:policy") + f"?term={made.term.pk}")
    return render(
        request,
        "billing/term_new.html",
        {
            "title": _("由上学期新建学期"),
            "source": source,
            "form": form,
            "template": agreement_template_current(school=source.school),
        },
    )
