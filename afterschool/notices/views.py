"""The inbox (every signed-in person), channel choices and WeCom parent
userids, and announcements (the school's admin; a homeroom teacher for
their own classes)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from afterschool.access import (
    announcements_for_user,
    classes_for_user,
    get_announcement_for_user,
    get_guardian_for_user,
    get_notice_for_user,
    may_write_announcements,
)
from afterschool.models import Guardian, NoticePreference
from afterschool.notices import selectors, services
from afterschool.notices.forms import AnnouncementForm, GuardianWeComForm, PreferenceForm
from afterschool.redirects import next_url
from afterschool.selectors import current_school_year, school_grades


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
    """Which outside channels the person wants (in-app is always on); a
    guardian also enters their WeCom parent userid here."""
    user = request.user
    pref = NoticePreference.objects.filter(user=user).first()
    guardians = Guardian.objects.filter(user=user).select_related("school").order_by("pk")
    if request.method == "POST":
        form = PreferenceForm(request.POST, guardians=guardians)
        if form.is_valid():
            try:
                services.notice_preference_save(
                    user=user,
                    sms=form.cleaned_data["sms"],
                    wecom=form.cleaned_data["wecom"],
                    wecom_parent_userids=form.wecom_ids(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("通知方式已保存。"))
                return redirect("notices:inbox")
    else:
        form = PreferenceForm(
            initial={"sms": pref.sms if pref else True, "wecom": pref.wecom if pref else True},
            guardians=guardians,
        )
    return render(request, "afterschool/notices/preferences.html", {"form": form})


@login_required
@require_POST
def guardian_wecom(request, pk: int):
    """Staff (the school's admin, a homeroom teacher of one of the children)
    record a guardian's WeCom parent userid from the student's page; back to
    ``next``. Anyone else: 404."""
    guardian = get_guardian_for_user(request.user, pk)
    back = next_url(request, reverse("home"))
    form = GuardianWeComForm(request.POST)
    if form.is_valid():
        try:
            services.guardian_wecom_set(
                guardian=guardian,
                wecom_parent_userid=form.cleaned_data["wecom_parent_userid"],
                by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(
                request,
                _("已保存%(name)s的企业微信家长账号。") % {"name": guardian.name}
                if guardian.wecom_parent_userid
                else _("已清除%(name)s的企业微信家长账号。") % {"name": guardian.name},
            )
    else:
        messages.error(request, form.errors["wecom_parent_userid"][0])
    return redirect(back)


def _announcement_page(user):
    if not may_write_announcements(user):
        raise PermissionDenied


@login_required
def announcements(request):
    """Announcements with how many have read each, and the form to write a
    new one: the school's admin to the school, a grade or a class; a
    homeroom teacher to a class they lead (this school year's)."""
    user = request.user
    _announcement_page(user)
    classes = classes_for_user(user).order_by("grade", "number")
    year = current_school_year(school_id=user.school_id)
    if year is not None:
        classes = classes.filter(school_year=year)
    class_only = not user.is_school_admin
    grades = school_grades(school_id=user.school_id)
    if request.method == "POST":
        form = AnnouncementForm(request.POST, classes=classes, grades=grades, class_only=class_only)
        if form.is_valid():
            try:
                ann = services.announcement_publish(
                    school=user.school, by=user, **form.cleaned_data
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
        form = AnnouncementForm(classes=classes, grades=grades, class_only=class_only)
    rows = selectors.announcements_with_reads(announcements=announcements_for_user(user))[:50]
    return render(
        request,
        "afterschool/notices/announcements.html",
        {"form": form, "rows": rows, "class_only": class_only},
    )


@login_required
def announcement_detail(request, pk: int):
    _announcement_page(request.user)
    ann = get_announcement_for_user(request.user, pk)
    row = selectors.announcements_with_reads(
        announcements=announcements_for_user(request.user)
    ).get(pk=ann.pk)
    return render(request, "afterschool/notices/announcement_detail.html", {"ann": row})
