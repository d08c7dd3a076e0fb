"""django-tables2 tables for the staff lists.

ID numbers are masked in every column and in every export. The 全国学籍号
schools use is "G" + the ID number, so the student number is masked the same
way wherever it embeds the ID number; the full values appear only on the
administrator's student detail page.
"""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from afterschool.idnumbers import mask_embedded_id_number
from afterschool.models import Gender, Guardian, Room, SchoolClass, Student, User
from afterschool.selectors import class_name_of, year_class_label
from afterschool.tables import FastTable, cell_text, per_language, safe, url_maker

YES_NO = {True: _("是"), False: _("否")}


def masked_student_number(student: Student) -> str:
    """The 学籍号 with an embedded ID number masked: G130925********5018."""
    return mask_embedded_id_number(student.student_number, student.id_number)


# The name column stays in view while a wide table scrolls sideways on a
# phone (site.css: .col-name is sticky).
NAME_COLUMN = {"th": {"class": "col-name"}, "td": {"class": "col-name"}}


@per_language
def _student_words() -> dict:
    """The students table's translated words and badges (plain strings)."""
    return {
        "gender": {value: str(label) for value, label in Gender.choices},
        "boarder": {
            True: SafeString(f'<span class="true">{escape(str(YES_NO[True]))}</span>'),
            False: SafeString(f'<span class="false">{escape(str(YES_NO[False]))}</span>'),
        },
        "priority": {
            name: format_html(
                '<span class="badge text-bg-warning">{}</span>',
                Student._meta.get_field(name).verbose_name,
            )
            for name in Student.PRIORITY_FIELDS
        },
    }


class StudentTable(FastTable):
    """学生名单. Cells from ``render_<column>`` (``afterschool.tables.FastTable``);
    the .xlsx export takes ``value_<column>`` (plain text, ID numbers masked)."""

    class_number = tables.Column(verbose_name=_("学号"), order_by=("class_number",))
    student_number = tables.Column(verbose_name=_("学籍号"), attrs={"td": {"class": "masked"}})
    name = tables.Column(
        attrs={"th": {"class": "text-nowrap col-name"}, "td": {"class": "text-nowrap col-name"}},
    )
    gender = tables.Column()
    # The class of the year listed (``with_year_class``), not the latest one.
    school_class = tables.Column(
        order_by=("year_class_grade", "year_class_number"), empty_values=()
    )
    id_number = tables.Column(
        verbose_name=_("身份证号"), orderable=False, attrs={"td": {"class": "masked"}}
    )
    is_boarder = tables.BooleanColumn(yesno=(_("是"), _("否")))
    priority = tables.Column(verbose_name=_("优先保障"), empty_values=(), orderable=False)

    class Meta:
        model = Student
        fields = (
            "student_number",
            "name",
            "gender",
            "school_class",
            "id_number",
            "is_boarder",
            "class_number",
        )
        # 学号 last so the export's columns stay where schools' sheets expect them.
        sequence = (*fields[:-1], "priority", "class_number")
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("没有符合条件的学生。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.detail_url = url_maker("people:student-detail")
        self.words = _student_words()

    def render_class_number(self, value):
        return value

    def value_class_number(self, value):
        return value

    def render_student_number(self, record):
        return masked_student_number(record)

    def value_student_number(self, record):
        return masked_student_number(record)

    def render_name(self, record):
        return safe(f'<a href="{self.detail_url(record.pk)}">{cell_text(record.name)}</a>')

    def value_name(self, record):
        return record.name

    def render_gender(self, value):
        return self.words["gender"].get(value, value)

    def value_gender(self, record):
        return record.get_gender_display()

    def render_school_class(self, record):
        return class_name_of(*year_class_label(record, record))

    def value_school_class(self, record):
        return class_name_of(*year_class_label(record, record))

    def render_id_number(self, record):
        return record.masked_id_number or "—"

    def value_id_number(self, record):
        return record.masked_id_number

    def render_is_boarder(self, record):
        return self.words["boarder"][bool(record.is_boarder)]

    def value_is_boarder(self, value):
        return str(YES_NO[bool(value)])

    def render_priority(self, record):
        badges = self.words["priority"]
        shown = [badge for name, badge in badges.items() if getattr(record, name)]
        return safe(" ".join(shown)) if shown else "—"

    def value_priority(self, record):
        return "、".join(record.priority_labels)


class SchoolClassTable(FastTable):
    school_year = tables.Column(verbose_name=_("学年"), order_by=("-school_year__start_year",))
    grade = tables.Column(verbose_name=_("年级"), accessor="grade_name", order_by=("grade",))
    display_name = tables.Column(
        verbose_name=_("班级"), order_by=("grade", "number"), attrs=NAME_COLUMN
    )
    homeroom_teacher = tables.Column(order_by=("homeroom_teacher__name",))
    room = tables.Column(order_by=("room__name",))
    student_count = tables.Column(
        verbose_name=_("学生人数"), attrs={"th": {"class": "text-end"}, "td": {"class": "text-end"}}
    )
    students = tables.Column(
        verbose_name="", orderable=False, empty_values=(), exclude_from_export=True
    )

    class Meta:
        model = SchoolClass
        fields = (
            "school_year",
            "grade",
            "display_name",
            "homeroom_teacher",
            "room",
            "student_count",
        )
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("还没有班级。")

    def render_students(self, record):
        url = (
            reverse("people:student-list")
            + f"?school_year={record.school_year_id}&school_class={record.pk}"
        )
        return format_html('<a href="{}">{}</a>', url, _("查看学生"))


class RoomTable(FastTable):
    name = tables.Column(attrs=NAME_COLUMN)

    class Meta:
        model = Room
        fields = ("name", "kind", "capacity")
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("还没有场地。")


class GuardianTable(FastTable):
    name = tables.Column(attrs=NAME_COLUMN)
    mobile = tables.Column()
    children = tables.Column(verbose_name=_("孩子"), empty_values=(), orderable=False)
    activated = tables.BooleanColumn(verbose_name=_("已激活"), yesno=(_("已激活"), _("未激活")))

    class Meta:
        model = Guardian
        fields = ("name", "mobile")
        sequence = ("name", "mobile", "children", "activated")
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("没有符合条件的家长。")

    def render_children(self, record):
        # ``guardianships`` is prefetched with student and class (one query).
        return "、".join(
            f"{g.student.name}（{g.student.school_class.display_name}）"
            for g in record.guardianships.all()
        )

    def render_activated(self, value):
        css = "text-bg-success" if value else "text-bg-secondary"
        return format_html(
            '<span class="badge {}">{}</span>', css, _("已激活") if value else _("未激活")
        )


class StaffTable(FastTable):
    name = tables.Column(attrs=NAME_COLUMN)
    username = tables.Column()
    role = tables.Column()
    homeroom_of = tables.Column(verbose_name=_("所带班级"), empty_values=(), orderable=False)
    mobile = tables.Column()
    last_login = tables.DateTimeColumn(format="Y年n月j日 H:i")

    class Meta:
        model = User
        fields = ("name", "username", "role", "mobile", "last_login")
        sequence = ("name", "username", "role", "homeroom_of", "mobile", "last_login")
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("还没有教职工账号。")

    def render_homeroom_of(self, record):
        # ``homeroom_classes`` is prefetched (one query).
        return "、".join(c.display_name for c in record.homeroom_classes.all()) or "—"
