"""Billing pages: fee policy, statements, payments, waivers, fee sheets,
teacher workload, and the family's own fees.

Thin views (STYLE.md §2): access helper → form → one service call →
redirect with a message. Admin pages only touch the admin's own school;
statements are fetched through ``billing.selectors.get_statement_for_user``
(404 to outsiders).
"""

from __future__ import annotations

import datetime
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from afterschool.access import (
    classes_for_user,
    get_class_for_user,
    school_admin_required,
    students_for_user,
    terms_for_user,
)
from afterschool.models import Role
from billing import selectors, services
from billing.fees import month_start, term_months
from billing.forms import FeePolicyForm, PaymentForm, WaiverForm, WorkloadRateForm, parse_month
from billing.models import BillingMode, FeeStatement, PaymentKind, Waiver
from billing.money import to_fen
from billing.sheets import CONTENT_TYPES, FORMATS, render_sheet, workload_pdf
from scheduling.access import term_for_request


def _term(request):
    return term_for_request(request)


def _month(request, term) -> datetime.date:
    """The month asked for (``?month=2024-09``) if in the term, else this
    month if in the term, else the term's first month."""
    months = term_months(term)
    asked = parse_month(request.GET.get("month") or request.POST.get("month"))
    if asked in months:
        return asked
    this = month_start(timezone.localdate())
    return this if this in months else months[0]


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _attachment(filename: str, fallback: str) -> str:
    """A download's Content-Disposition: the Chinese ``filename`` as RFC 5987
    ``filename*=utf-8''…`` (what browsers save it as, like the agreements'
    PDFs) after an ASCII ``filename="…"`` for clients that ignore it."""
    return f"attachment; filename=\"{fallback}\"; filename*=utf-8''{quote(filename)}"


def _staff_for_billing(user) -> None:
    if not (user.is_school_admin or (user.role == Role.HOMEROOM and user.school_id)):
        raise PermissionDenied


# ------------------------------------------------------------ fee policy


@login_required
@school_admin_required
def policy(request):
    """The term's fee standard under the county's cap."""
    term = _term(request)
    current = selectors.fee_policy_of(term) or services.fee_policy_for(term)
    if request.method == "POST":
        form = FeePolicyForm(request.POST, instance=current)
        if form.is_valid():
            try:
                services.fee_policy_save(term=term, data=form.cleaned_data, by=request.user)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("收费标准已保存。"))
                return redirect(reverse("billing:policy") + f"?term={term.pk}")
    else:
        form = FeePolicyForm(instance=current)
    school = term.school
    return render(
        request,
        "billing/policy.html",
        {
            "term": term,
            "form": form,
            "school": school,
            "terms": terms_for_user(request.user),
        },
    )


# ------------------------------------------------------------ statements


@login_required
def statements(request):
    """The month's statements: the school (admin) or own classes (homeroom),
    with arrears per class."""
    _staff_for_billing(request.user)
    term = _term(request)
    month = _month(request, term)
    classes = classes_for_user(request.user).filter(school_year_id=term.school_year_id)
    school_class = None
    if request.GET.get("class"):
        school_class = get_class_for_user(request.user, request.GET["class"])
    rows = selectors.with_paid(
        selectors.statements_for_user(request.user).filter(term=term, month=month)
    ).order_by("school_class__grade", "school_class__number", "student__student_number", "kind")
    if school_class:
        rows = rows.filter(school_class=school_class)
    policy = selectors.fee_policy_of(term)
    return render(
        request,
        "billing/statements.html",
        {
            "term": term,
            "month": month,
            "months": term_months(term),
            "rows": rows,
            "classes": classes,
            "school_class": school_class,
            "arrears": selectors.arrears_by_class(term=term, classes=classes),
            "policy": policy,
            "is_prepay": policy is not None and policy.mode == BillingMode.PREPAY,
        },
    )


@login_required
@school_admin_required
@require_POST
def statements_generate(request):
    term = _term(request)
    month = _month(request, term)
    try:
        result = services.statements_generate(term=term, month=month)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(
            request,
            _("已核算 %(m)s：新建 %(c)s 份，更新 %(u)s 份，已缴费账单调整 %(a)s 份。")
            % {
                "m": f"{month.year}年{month.month}月",
                "c": result.created,
                "u": result.updated,
                "a": result.adjusted,
            },
        )
    return redirect(reverse("billing:statements") + f"?term={term.pk}&month={month:%Y-%m}")


@login_required
@school_admin_required
@require_POST
def settlement_generate(request):
    term = _term(request)
    try:
        result = services.settlement_generate(term=term)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, _("期末结算完成：%(n)s 份结算单。") % {"n": result.total})
    month = month_start(term.last_day)
    return redirect(reverse("billing:statements") + f"?term={term.pk}&month={month:%Y-%m}")


@login_required
def statement_detail(request, pk: int):
    """One statement, itemised, with its payments; the admin records payments here."""
    statement = selectors.get_statement_for_user(request.user, pk)
    form = PaymentForm()
    if request.method == "POST":
        if not request.user.is_school_admin:
            raise PermissionDenied
        form = PaymentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.payment_record(
                    statement=statement,
                    amount=data["amount"],
                    method=data["method"],
                    receipt_number=data["receipt_number"],
                    kind=data["kind"],
                    note=data["note"],
                    by=request.user,
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("缴费记录已保存。"))
                excess = selectors.statement_paid(statement) - statement.total
                if data["kind"] == PaymentKind.PAYMENT and excess > 0:
                    messages.info(
                        request,
                        _("已缴超过应缴 %(x)s 元，多缴部分转为结余，可抵后续费用或退还。")
                        % {"x": excess},
                    )
                return redirect("billing:statement-detail", pk=statement.pk)
    paid_qs = selectors.with_paid(FeeStatement.objects.filter(pk=statement.pk))
    paid = to_fen(paid_qs.values_list("paid", flat=True).get())
    return render(
        request,
        "billing/statement_detail.html",
        {
            "statement": statement,
            "lines": selectors.statement_lines(statement),
            "payments": selectors.statement_payments(statement),
            "paid": paid,
            "owed": max(statement.total - paid, selectors.ZERO),
            "credit": max(paid - statement.total, selectors.ZERO),
            "form": form,
        },
    )


# ------------------------------------------------------------ family


@login_required
def family(request):
    """A guardian's children: each statement with what was paid, and the
    balance (owed, or credit carried forward)."""
    if not request.user.is_guardian:
        raise PermissionDenied
    children = list(students_for_user(request.user).order_by("name"))
    rows = list(
        selectors.with_paid(selectors.statements_for_user(request.user)).order_by(
            "student__name", "-month", "kind"
        )
    )
    by_child = []
    for child in children:
        own = [s for s in rows if s.student_id == child.pk]
        balance = sum((s.balance for s in own), selectors.ZERO)
        by_child.append((child, own, balance, -balance))
    return render(request, "billing/family.html", {"by_child": by_child})


# ------------------------------------------------------------ waivers


@login_required
@school_admin_required
def waivers(request):
    """Waivers of the term: full ones from approved requests, partial ones
    the admin adds where the county allows."""
    term = _term(request)
    students = students_for_user(request.user).filter(
        school_class__school_year_id=term.school_year_id
    )
    form = WaiverForm(students=students)
    if request.method == "POST":
        form = WaiverForm(request.POST, students=students)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.waiver_create(
                    student=d["student"],
                    term=term,
                    kind=d["kind"],
                    amount=d.get("amount"),
                    percent=d.get("percent"),
                    effective_from=d["effective_from"],
                    reason=d.get("reason", ""),
                    by=request.user,
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("减免已登记；重新核算账单后生效。"))
                return redirect(reverse("billing:waivers") + f"?term={term.pk}")
    rows = (
        Waiver.objects.filter(term=term)
        .select_related("student", "student__school_class", "created_by")
        .order_by("student__school_class__grade", "student__school_class__number", "effective_from")
    )
    return render(
        request,
        "billing/waivers.html",
        {
            "term": term,
            "rows": rows,
            "pending": selectors.approved_requests_without_waiver(term),
            "form": form,
            "policy": selectors.fee_policy_of(term),
        },
    )


# ------------------------------------------------------------ fee sheets


@login_required
def fee_sheet(request):
    """The fee sheet (收费明细表) on screen, or as ``?format=pdf|xlsx|csv``:
    the school's (admin) or a class's (admin, its homeroom teacher); for a
    month or ``?month=term`` for the whole term."""
    _staff_for_billing(request.user)
    term = _term(request)
    whole_term = request.GET.get("month") == "term"
    month = None if whole_term else _month(request, term)
    school_class = None
    if request.GET.get("class"):
        school_class = get_class_for_user(request.user, request.GET["class"])
    elif not request.user.is_school_admin:
        own = list(classes_for_user(request.user).filter(school_year_id=term.school_year_id)[:1])
        if not own:
            raise Http404
        school_class = own[0]
    sheet = selectors.fee_sheet(term=term, month=month, school_class=school_class)
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        scope = f"-{school_class.grade}-{school_class.number}" if school_class else ""
        when = "term" if whole_term else f"{month:%Y-%m}"
        name = [_("收费明细表"), term.name if whole_term else f"{month.year}年{month.month}月"]
        if school_class:
            name.append(school_class.display_name)
        response = HttpResponse(render_sheet(sheet, fmt), content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = _attachment(
            "-".join(name) + f".{fmt}", f"fee-sheet-{when}{scope}.{fmt}"
        )
        return response
    return render(
        request,
        "billing/fee_sheet.html",
        {
            "term": term,
            "sheet": sheet,
            "month": month,
            "months": term_months(term),
            "whole_term": whole_term,
            "school_class": school_class,
            "classes": classes_for_user(request.user).filter(school_year_id=term.school_year_id),
        },
    )


# ------------------------------------------------------------ workload


@login_required
@school_admin_required
def workload(request):
    """Periods supervised and club sessions led per person for a month, with
    the subsidy (课时数计入工作量, 绩效考核); ``?format=pdf`` prints it."""
    term = _term(request)
    month = _month(request, term)
    policy = services.fee_policy_for(term)
    form = WorkloadRateForm(initial={"workload_rate_per_period": policy.workload_rate_per_period})
    if request.method == "POST":
        form = WorkloadRateForm(request.POST)
        if form.is_valid():
            try:
                services.fee_policy_save(term=term, data=form.cleaned_data, by=request.user)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("每课时补助已保存。"))
                return redirect(
                    reverse("billing:workload") + f"?term={term.pk}&month={month:%Y-%m}"
                )
    rows = selectors.workload(term=term, month=month, policy=policy)
    label = f"{term} · {month.year}年{month.month}月"
    if request.GET.get("format") == "pdf":
        title = f"{term.school.name}课后服务教师工作量统计表"
        response = HttpResponse(
            workload_pdf(title=title, rows=rows, period_label=label), content_type="application/pdf"
        )
        response["Content-Disposition"] = _attachment(
            _("教师工作量统计表") + f"-{month.year}年{month.month}月.pdf",
            f"workload-{month:%Y-%m}.pdf",
        )
        return response
    return render(
        request,
        "billing/workload.html",
        {
            "term": term,
            "month": month,
            "months": term_months(term),
            "rows": rows,
            "form": form,
            "total_periods": sum(r.periods for r in rows),
            "total_subsidy": sum((r.subsidy for r in rows), selectors.ZERO),
        },
    )
