"""The inspection report (专项督查统计表) as .xlsx: one row per school of the
county, then the county's total, in the columns the bureau asks for.

Text cells (school name, document number, billing mode) are written as text
(``data_type`` "s"), so a value starting with "=" stays text and is never a
formula; numbers are numbers. (A shared cell-sanitising helper for every
export is being added on another branch; this module should switch to it
when it lands.)
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from afterschool.exports import xlsx_set
from overview.county.selectors import CountyFigures, SchoolFigures


def inspection_headers() -> list[str]:
    return [
        _("学校"),
        _("学生数"),
        _("参与人数"),
        _("参与率（%）"),
        _("已服务天数"),
        _("每周服务天数"),
        _("每天时长（分钟）"),
        _("5天全勤率（%，已结束的周）"),
        _("优先保障学生数"),
        _("优先保障覆盖率（%）"),
        _("教师数"),
        _("参与教师数"),
        _("教师参与率（%）"),
        _("校外人员数"),
        _("收费标准（元/课时）"),
        _("文件号"),
        _("收费方式"),
        _("减免人数（已生效）"),
        _("通知发送数"),
        _("书面作业日均（分钟，按布置日）"),
        _("书面作业超上限（班·周）"),
    ]


def inspection_values(r: SchoolFigures) -> list:
    return [
        r.name,
        r.students,
        r.participants,
        r.participation_rate,
        r.service_days,
        r.weekly_days,
        r.daily_minutes,
        r.full_attendance_rate,
        r.priority_children,
        r.priority_coverage,
        r.teachers,
        r.teachers_taking_part,
        r.teacher_rate,
        r.volunteers,
        str(r.fee_rate) if r.fee_rate is not None else "",
        r.fee_document,
        r.billing_mode,
        r.waivers,
        r.notices_sent,
        r.homework_daily_average,
        r.homework_weeks_over,
    ]


def _write_row(ws, row: int, values: list) -> None:
    for col, value in enumerate(values, start=1):
        xlsx_set(ws.cell(row=row, column=col), value)  # text, never a formula


def inspection_xlsx(figures: CountyFigures, *, title: str) -> bytes:
    """The workbook's bytes: a title row, the header row, a row per school,
    the total row."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("专项督查统计表")
    _write_row(ws, 1, [title])
    _write_row(ws, 2, inspection_headers())
    for i, row in enumerate([*figures.rows, figures.total], start=3):
        _write_row(ws, i, inspection_values(row))
    ws.column_dimensions["A"].width = 24
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
