"""Club pages: the term's clubs, adding, changing and deleting one (admin
only, clubs of the admin's own school).

Thin views: access helper → form → one service call → redirect with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from afterschool.access import (
    school_admin_required,
    terms_for_user,
)
from scheduling import access
from scheduling.access import term_for_request
from scheduling.calendar.days import term_schedule
from scheduling.clubs import selectors, services
from scheduling.clubs.forms import ClubForm
from scheduling.clubs.tables import ClubTable


@login_required
@school_admin_required
def club_list(request):
    term = term_for_request(request)
    table = ClubTable(selectors.clubs_of(term))
    return render(
        request,
        "scheduling/club_list.html",
        {"term": term, "terms": terms_for_user(request.user), "table": table},
    )


@login_required
@school_admin_required
def club_edit(request, pk: int | None = None):
    club = access.get_club_for_user(request.user, pk) if pk else None
    term = club.term if club else term_for_request(request)
    school = request.user.school
    initial = {}
    if club is None:
        schedule = term_schedule(term)
        initial = {"weekday": schedule.featured_weekday, "period": schedule.featured_period}
    form = ClubForm(request.POST or None, instance=club, initial=initial, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.club_save(term=term, club=club, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("社团 %(name)s 已保存。") % {"name": saved.name})
            return redirect(reverse("scheduling:club-list") + f"?term={term.pk}")
    return render(request, "scheduling/club_form.html", {"form": form, "club": club, "term": term})


@login_required
@school_admin_required
@require_POST
def club_delete(request, pk: int):
    club = access.get_club_for_user(request.user, pk)
    term_id = club.term_id
    services.club_delete(club=club)
    messages.success(request, _("社团已删除。"))
    return redirect(reverse("scheduling:club-list") + f"?term={term_id}")
