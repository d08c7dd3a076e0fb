"""The inbox (every signed-in person), channel choices, and the school's
announcements (school admin)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from afterschool.access import (
    classes_for_user,
    get_announcement_for_user,
    get_notice_for_user,
    school_admin_required,
)
from afterschool.models import NoticePreference
from afterschool.notices import selectors, services
from afterschool.notices.forms import AnnouncementForm, PreferenceForm
from afterschool.selectors import school_grades


@login_required
def inbox(request):
    """The signed-in person's notices, 30 a page, unread first marked."""
    page = Paginator(selectors.inbox(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "afterschool/notices/inbox.html", {"page": page})


@login_required
def notice_detail(request, pk: int):
    """One notice; opening it marks it read."""
    notice = get_notice_for_user(request.user, pk)
    services.notice_mark_read(notice=notice)
    link_ok = notice.link and url_has_allowed_host_and_scheme(notice.link, allowed_hosts=None)
    return render(
        request,
        "afterschool/notices/detail.html",
        {"notice": notice, "link": notice.link if link_ok else ""},
    )


@login_required
@require_POST
def read_all(request):
    n = services.notices_mark_all_read(user=request.user)
    messages.success(request, _("已将 %(n)d 条通知标为已读。") % {"n": n})
    return redirect("notices:inbox")


@login_required
def preferences(request):
    """Which outside channels the person wants; in-app is always on."""
    pref = NoticePreference.objects.filter(user=request.user).first()
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            services.notice_preference_save(user=request.user, **form.cleaned_data)
            messages.success(request, _("通知方式已保存。"))
            return redirect("notices:inbox")
    else:
        form = PreferenceForm(
            initial={"sms": pref.sms if pref else True, "wecom": pref.wecom if pref else True}
        )
    return render(request, "afterschool/notices/preferences.html", {"form": form})


@login_required
@school_admin_required
def announcements(request):
    """The school's announcements with how many have read each, and the form
    to write a new one."""
    classes = classes_for_user(request.user).order_by("grade", "number")
    grades = school_grades(school_id=request.user.school_id)
    if request.method == "POST":
        form = AnnouncementForm(request.POST, classes=classes, grades=grades)
        if form.is_valid():
            try:
                ann = services.announcement_publish(
                    school=request.user.school, by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("公告已发布给 %(n)d 位家长。") % {"n": ann.notices.count()},
                )
                return redirect("notices:announcements")
    else:
        form = AnnouncementForm(classes=classes, grades=grades)
    rows = selectors.announcements_with_reads(school_id=request.user.school_id)[:50]
    return render(request, "afterschool/notices/announcements.html", {"form": form, "rows": rows})


@login_required
@school_admin_required
def announcement_detail(request, pk: int):
    ann = get_announcement_for_user(request.user, pk)
    row = selectors.announcements_with_reads(school_id=request.user.school_id).get(pk=ann.pk)
    return render(request, "afterschool/notices/announcement_detail.html", {"ann": row})
