"""The school's people for staff: students, classes, rooms, guardians, staff.

Every view scopes its rows with an access helper (afterschool/access.py):
outsiders get 404 for a single record and 403 for a list their role may not
use. Lists are django-tables2 tables with django-filter filters; the students
list exports to .xlsx with ID numbers masked.
"""

from __future__ import annotations

import io

import openpyxl
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin
from openpyxl.utils import get_column_letter

from afterschool.access import (
    classes_for_user,
    get_student_for_user,
    guardians_for_user,
    rooms_for_user,
    students_for_user,
)
from afterschool.activation import ACTIVATED
from afterschool.exports import xlsx_as_text
from afterschool.models import Guardianship, LeaveReason, Role, SchoolClass, User
from afterschool.params import BadQueryParameter
from afterschool.people.filters import (
    GuardianFilter,
    RoomFilter,
    SchoolClassFilter,
    StaffFilter,
    StudentFilter,
)
from afterschool.people.tables import (
    GuardianTable,
    RoomTable,
    SchoolClassTable,
    StaffTable,
    StudentTable,
    masked_student_number,
)
from afterschool.selectors import class_order, current_school_year, with_year_class

PER_PAGE = 50


def _display_width(text: str) -> int:
    # A CJK character takes about two Latin character widths in Excel.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def xlsx_fit_columns(data: bytes, *, minimum: int = 6, maximum: int = 40) -> bytes:
    """The .xlsx ``data`` (tablib's export) with every column as wide as its
    widest cell (header included), in Excel character widths between
    ``minimum`` and ``maximum``: tablib leaves Excel's default, too narrow
    for Chinese names and ID numbers."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for column in sheet.iter_cols():
            widest = max((_display_width(str(c.value)) for c in column if c.value), default=0)
            letter = get_column_letter(column[0].column)
            sheet.column_dimensions[letter].width = min(max(widest + 2, minimum), maximum)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _may_list_students(user: User) -> bool:
    return user.is_school_admin or (user.role == Role.HOMEROOM and user.school_id is not None)


class RoleRequiredMixin(LoginRequiredMixin):
    """Anonymous users go to the login page; signed-in users whose role may not
    use this list get 403 (rows are scoped again by the access helper)."""

    def has_role(self, user: User) -> bool:  # pragma: no cover - every view overrides it
        return False

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.has_role(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CurrentYearFilterMixin:
    """The school-year filter starts at the current school year (the one
    containing today, else the latest): after a roster import into next
    year, this year's and next year's classes are not mixed. Choosing
    "全部" (an empty value) shows every year."""

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = self.request.GET.copy()
        if "school_year" not in data:
            year = current_school_year(school_id=self.request.user.school_id)
            data["school_year"] = str(year.pk) if year else ""
        kwargs["data"] = data
        return kwargs


class StudentListView(
    RoleRequiredMixin, CurrentYearFilterMixin, ExportMixin, SingleTableMixin, FilterView
):
    """Students of the school (admin) or of the teacher's own classes (homeroom)."""

    table_class = StudentTable
    filterset_class = StudentFilter
    template_name = "afterschool/people/student_list.html"
    table_pagination = {"per_page": PER_PAGE}
    export_formats = ("xlsx",)
    export_name = "students"
    dataset_kwargs = {"title": "学生名单"}

    def has_role(self, user):
        return _may_list_students(user)

    def get_queryset(self):
        return students_for_user(self.request.user)

    def listed_year(self) -> int | None:
        """The school year the list shows (the filter's year, else the
        chosen class's year); ``None`` for every year."""
        data = getattr(self.filterset.form, "cleaned_data", {}) if self.filterset else {}
        if data.get("school_year"):
            return data["school_year"].pk
        if data.get("school_class"):
            return data["school_class"].school_year_id
        return None

    def get_table_data(self):
        # Class by class — each student's class in the year listed, through
        # the membership of that year — each in the school's chosen order
        # (学号 by default).
        return with_year_class(super().get_table_data(), school_year=self.listed_year()).order_by(
            "year_class_grade", "year_class_number", *class_order()
        )

    def get_table_pagination(self, table):
        # The export holds every row the filter keeps; no page, no COUNT.
        if self.export_class.is_valid_format(self.request.GET.get(self.export_trigger_param)):
            return False
        return super().get_table_pagination(table)

    def create_export(self, export_format):
        # django-tables2 accepts any format it knows (csv, json ...): only the
        # .xlsx, which goes through afterschool.exports, is offered.
        if export_format not in self.export_formats:
            raise BadQueryParameter("_export", export_format)
        exporter = self.export_class(
            export_format=export_format,
            table=self.get_table(**self.get_table_kwargs()),
            exclude_columns=self.exclude_columns,
            dataset_kwargs=self.get_dataset_kwargs(),
        )
        data = exporter.export()
        if export_format == "xlsx":
            # tablib stores "=..." text as a formula: make it text again.
            data = xlsx_fit_columns(xlsx_as_text(data))
        response = HttpResponse(data, content_type=exporter.content_type())
        # RFC 6266 filename* so the Chinese name survives every browser.
        filename = f"学生名单-{timezone.localdate():%Y%m%d}.{export_format}"
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response


class SchoolClassListView(RoleRequiredMixin, CurrentYearFilterMixin, SingleTableMixin, FilterView):
    table_class = SchoolClassTable
    filterset_class = SchoolClassFilter
    template_name = "afterschool/people/class_list.html"
    table_pagination = {"per_page": PER_PAGE}

    def has_role(self, user):
        return _may_list_students(user)

    def get_queryset(self):
        return (
            classes_for_user(self.request.user)
            # Members of the class in its year, less those who moved school
            # or left (graduates stay counted in their last class).
            .annotate(
                student_count=Count(
                    "memberships",
                    filter=~Q(
                        memberships__leave_reason__in=[LeaveReason.TRANSFER, LeaveReason.LEFT]
                    ),
                )
            )
            .order_by("grade", "number")
        )


class RoomListView(RoleRequiredMixin, SingleTableMixin, FilterView):
    table_class = RoomTable
    template_name = "afterschool/people/room_list.html"
    table_pagination = {"per_page": PER_PAGE}
    filterset_class = RoomFilter

    def has_role(self, user):
        return user.is_staff_member

    def get_queryset(self):
        return rooms_for_user(self.request.user)


class GuardianListView(RoleRequiredMixin, SingleTableMixin, FilterView):
    table_class = GuardianTable
    filterset_class = GuardianFilter
    template_name = "afterschool/people/guardian_list.html"
    table_pagination = {"per_page": PER_PAGE}

    def has_role(self, user):
        return user.is_school_admin

    def get_queryset(self):
        return (
            guardians_for_user(self.request.user)
            .annotate(activated=ExpressionWrapper(ACTIVATED, output_field=BooleanField()))
            .prefetch_related(
                Prefetch(
                    "guardianships",
                    queryset=Guardianship.objects.select_related("student__school_class"),
                )
            )
        )


class StaffListView(RoleRequiredMixin, SingleTableMixin, FilterView):
    table_class = StaffTable
    template_name = "afterschool/people/staff_list.html"
    table_pagination = {"per_page": PER_PAGE}
    filterset_class = StaffFilter

    def has_role(self, user):
        return user.is_school_admin

    def get_queryset(self):
        school_id = self.request.user.school_id
        # The classes each one leads this school year (after the rollover a
        # teacher also led last year's, which are not what they lead now).
        year = current_school_year(school_id=school_id)
        return (
            User.objects.filter(school_id=school_id)
            .exclude(role=Role.GUARDIAN)
            .prefetch_related(
                Prefetch(
                    "homeroom_classes",
                    queryset=SchoolClass.objects.filter(school_id=school_id, school_year=year),
                )
            )
            .order_by("role", "name")
        )


@login_required
def student_detail(request, pk: int):
    """One student: class, flags, guardians. Staff and the child's own
    guardians only (404 to everyone else). The full ID number and mobiles are
    shown only to the school administrator holding ``view_id_number``."""
    student = get_student_for_user(request.user, pk)
    user = request.user
    is_admin = user.is_school_admin
    full_id = is_admin and user.has_perm("afterschool.view_id_number")
    guardianships = student.guardianships.select_related("guardian")
    return render(
        request,
        "afterschool/people/student_detail.html",
        {
            "student": student,
            "student_number": student.student_number if full_id else masked_student_number(student),
            "id_number": student.id_number if full_id else student.masked_id_number,
            "guardianships": guardianships,
            "show_full_mobile": is_admin,
            "show_flags": user.is_staff_member,
            "title": _("学生信息"),
        },
    )
