"""Statement pages: the month's statements with arrears per class, running
the month's statements or the term-end settlement (admin), one statement
with its payments, and the family's own fees.

Thin views (STYLE.md §2): access helper → form → one service call →
redirect with a message. Statements are fetched through
``billing.access.get_statement_for_user`` (404 to outsiders).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from afterschool.access import (
    classes_for_user,
    get_class_for_user,
    school_admin_required,
    students_for_user,
)
from afterschool.pages import errors_to_form, show_errors
from afterschool.params import id_param
from afterschool.selectors import term_months
from billing.access import (
    billing_staff_required,
    billing_term_for_user,
    get_statement_for_user,
    guardian_required,
    statements_for_user,
)
from billing.models import BillingMode, FeeStatement, PaymentKind
from billing.money import ZERO, to_fen
from billing.months import month_of_term, month_start
from billing.payments.forms import PaymentForm
from billing.payments.services import payment_record
from billing.policy.selectors import fee_policy_default, fee_policy_of
from billing.statements import services
from billing.statements.selectors import (
    arrears_by_class,
    arrears_total,
    statement_lines,
    statement_month,
    statement_paid,
    statement_payments,
    with_paid,
)
from billing.statements.tables import StatementTable


def _term(request):
    return billing_term_for_user(request.user, request.GET.get("term") or request.POST.get("term"))


def _month(request, term):
    return month_of_term(term, request.GET.get("month") or request.POST.get("month"))


@login_required
@billing_staff_required
def statements(request):
    """The month's statements: the school (admin) or own classes (homeroom),
    with arrears per class."""
    term = _term(request)
    classes = classes_for_user(request.user).filter(school_year_id=term.school_year_id)
    school_class = None
    class_pk = id_param(request.GET.get("class"), "class")
    if class_pk:
        school_class = get_class_for_user(request.user, class_pk)
    visible = statements_for_user(request.user)
    if school_class:
        visible = visible.filter(school_class=school_class)
    # Without a month asked: the latest month billed, not an empty one.
    month = statement_month(term=term, asked=request.GET.get("month"), statements=visible)
    rows = with_paid(visible.filter(term=term, month=month)).order_by(
        "school_class__grade", "school_class__number", "student__student_number", "kind"
    )
    empty = _("本月还没有账单。")
    if request.user.is_school_admin:
        empty += _("请点击“核算”生成。")
    table = StatementTable(rows, empty_text=empty)
    RequestConfig(request, paginate=False).configure(table)
    policy = fee_policy_of(term)
    return render(
        request,
        "billing/statements.html",
        {
            "term": term,
            "month": month,
            "months": term_months(term),
            "table": table,
            "classes": classes,
            "school_class": school_class,
            "arrears": (arrears := arrears_by_class(term=term, classes=classes)),
            "arrears_total": arrears_total(arrears),
            "policy": policy,
            # What a run without a saved standard bills at (the model's defaults).
            "default_policy": policy or fee_policy_default(term),
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
        show_errors(request, exc)
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
        show_errors(request, exc)
    else:
        messages.success(request, _("期末结算完成：%(n)s 份结算单。") % {"n": result.total})
    month = month_start(term.last_day)
    return redirect(reverse("billing:statements") + f"?term={term.pk}&month={month:%Y-%m}")


@login_required
def statement_detail(request, pk: int):
    """One statement, itemised, with its payments; the admin records payments here."""
    statement = get_statement_for_user(request.user, pk, change=request.method == "POST")
    form = PaymentForm()
    if request.method == "POST":
        form = PaymentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                payment_record(
                    statement=statement,
                    amount=data["amount"],
                    method=data["method"],
                    receipt_number=data["receipt_number"],
                    kind=data["kind"],
                    note=data["note"],
                    by=request.user,
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("缴费记录已保存。"))
                excess = statement_paid(statement) - statement.total
                if data["kind"] == PaymentKind.PAYMENT and excess > 0:
                    messages.info(
                        request,
                        _("已缴超过应缴 %(x)s 元，多缴部分转为结余，可抵后续费用或退还。")
                        % {"x": excess},
                    )
                return redirect("billing:statement-detail", pk=statement.pk)
    paid_qs = with_paid(FeeStatement.objects.filter(pk=statement.pk))
    paid = to_fen(paid_qs.values_list("paid", flat=True).get())
    return render(
        request,
        "billing/statement_detail.html",
        {
            "statement": statement,
            "lines": statement_lines(statement),
            "payments": statement_payments(statement),
            "paid": paid,
            "owed": max(statement.total - paid, ZERO),
            "credit": max(paid - statement.total, ZERO),
            "form": form,
        },
    )


@login_required
@guardian_required
def family(request):
    """A guardian's children: each statement with what was paid, and the
    balance (owed, or credit carried forward)."""
    children = list(students_for_user(request.user).order_by("name"))
    rows = list(
        with_paid(statements_for_user(request.user)).order_by("student__name", "-month", "kind")
    )
    by_child = []
    for child in children:
        own = [s for s in rows if s.student_id == child.pk]
        balance = sum((s.balance for s in own), ZERO)
        by_child.append((child, own, balance, -balance))
    return render(request, "billing/family.html", {"by_child": by_child})
