"""The workload table (教师工作量统计表) as a PDF."""

from __future__ import annotations

from decimal import Decimal

from afterschool.pdf import render_pdf
from billing.workload.selectors import WorkloadRow


def workload_pdf(*, title: str, rows: list[WorkloadRow], period_label: str) -> bytes:
    return render_pdf(
        "billing/pdf/workload.html",
        {
            "title": title,
            "rows": rows,
            "period_label": period_label,
            "total_periods": sum(r.periods for r in rows),
            "total_subsidy": sum((r.subsidy for r in rows), Decimal("0.00")),
        },
    )
