"""Query expressions shared by the apps' selectors."""

from __future__ import annotations

from django.db.models import IntegerField, Subquery


class CountOf(Subquery):
    """``COUNT(*)`` of a queryset's rows as a scalar subquery, so that several
    counts of different tables come back in one query
    (``School.objects.filter(pk=…).values(a=CountOf(qs1), b=CountOf(qs2))``)
    where each ``qs.count()`` would be a query of its own. The queryset is
    counted as ``.count()`` would count it (distinct, grouped and filtered
    rows included): it becomes a derived table, so select one column
    (``.values("pk")``) to keep it narrow."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()

    def __init__(self, queryset, **extra):
        super().__init__(queryset, **extra)
        # As ``.count()`` does: a model's default ordering would otherwise
        # join its columns into a DISTINCT and count more rows.
        self.query.clear_ordering(force=True)
