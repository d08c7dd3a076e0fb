"""Every URL of the site, read from the URL resolver, with real ids filled in.

Used by the permission matrix, the CSRF matrix and the personal-data walk
(tests/ops/test_url_matrix.py, test_csrf_matrix.py, test_personal_data.py).
New URLs are picked up automatically; a URL whose path argument has no
sample fails with a message saying where to add one, instead of being
skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Not private: public pages (login, logout, activation, health check) and the
# back office, which has its own login and is for superusers only.
# The county API authenticates by its token, not a login: 401 without one
# (tests/overview/test_county.py). The fee notice (收费公示) is public by rule
# and holds no personal data (tests/billing/test_publicity.py).
PUBLIC = {
    "login",
    "logout",
    "activate",
    "healthz",
    "favicon",
    "county-api:figures",
    "billing:fee-notice",
    "billing:fee-notice-pdf",
}
SKIPPED_NAMESPACES = {"admin"}


@dataclass(frozen=True)
class Route:
    """One named URL pattern: ``name`` as reverse() takes it, its path
    template, and the names of its path arguments."""

    name: str
    template: str
    kwargs: tuple[str, ...]
    view: object = field(compare=False, repr=False)

    def __str__(self) -> str:
        return self.name


def _walk(patterns, prefix: str, namespaces: tuple[str, ...], kwargs: tuple[str, ...]):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            ns = (*namespaces, entry.namespace) if entry.namespace else namespaces
            more = tuple(getattr(entry.pattern, "converters", {}))
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns, kwargs + more)
        elif isinstance(entry, URLPattern):
            own = tuple(getattr(entry.pattern, "converters", {}))
            if entry.name is None:
                raise AssertionError(
                    f"URL pattern {prefix}{entry.pattern} has no name: name it so the "
                    "permission matrix can reverse it"
                )
            name = ":".join((*namespaces, entry.name))
            yield Route(name, prefix + str(entry.pattern), kwargs + own, entry.callback)


def private_routes() -> list[Route]:
    """Every named URL except the public pages, the back office and static files."""
    routes = []
    for route in _walk(get_resolver().url_patterns, "/", (), ()):
        namespace = route.name.split(":")[0] if ":" in route.name else ""
        if namespace in SKIPPED_NAMESPACES or route.name in PUBLIC:
            continue
        if route.template.startswith(("/static/", "/media/")):
            continue
        routes.append(route)
    return routes


# ----------------------------------------------------------- sample objects

# A path argument named after what it holds needs no per-URL entry.
KWARG_SAMPLES = {
    "student_pk": "child",
    "student_id": "child",
    "class_pk": "class",
    "class_id": "class",
    "application_pk": "application",
    "application_id": "application",
    "grade": "grade",
}

# Pages about one day need the day: the samples' term is autumn 2024.
URL_QUERIES: dict[str, str] = {
    # 合唱团 meets on the featured Thursday; 5 Sep 2024 is one.
    "scheduling:club-roll": "?date=2024-09-05",
}

# ``pk`` means a different model on every URL: say which sample per URL.
URL_SAMPLES: dict[str, dict[str, str]] = {
    "people:student-detail": {"pk": "child"},
    "notices:detail": {"pk": "notice"},
    "scheduling:pickup-people": {"pk": "child"},
    "scheduling:pickup-delete": {"pk": "pickup_person"},
    "scheduling:pickup-photo": {"pk": "pickup_person"},
    "scheduling:dismissal-all": {"pk": "class"},
    "notices:announcement-detail": {"pk": "announcement"},
    "overview:county-school": {"pk": "school"},
    "roster:preview": {"pk": "roster_upload"},
    "roster:confirm": {"pk": "roster_upload"},
    "enrollment:roster-leavers": {"pk": "roster_upload"},
    "roster:class-letters": {"pk": "class"},
    "roster:guardian-reset": {"pk": "guardian"},
    "notices:guardian-wecom": {"pk": "guardian"},
    "scheduling:service-change-withdraw": {"pk": "service_change"},
    "scheduling:session-assign": {"pk": "session"},
    "scheduling:unavailability-delete": {"pk": "unavailability"},
    "scheduling:club-edit": {"pk": "club"},
    "scheduling:club-delete": {"pk": "club"},
    "scheduling:timetable-class": {"pk": "class"},
    "scheduling:timetable-class-pdf": {"pk": "class"},
    "scheduling:timetable-student": {"pk": "child"},
    "scheduling:timetable-student-pdf": {"pk": "child"},
    "scheduling:timetable-person": {"pk": "person"},
    "scheduling:timetable-person-pdf": {"pk": "person"},
    "scheduling:timetable-room": {"pk": "room"},
    "scheduling:timetable-room-pdf": {"pk": "room"},
    "enrollment:application-detail": {"pk": "application"},
    "enrollment:application-withdraw": {"pk": "application"},
    "enrollment:application-approve": {"pk": "application"},
    "enrollment:application-return": {"pk": "application"},
    "enrollment:application-terminate": {"pk": "application"},
    "enrollment:agreement-detail": {"pk": "application"},
    "enrollment:agreement-sign": {"pk": "application"},
    "enrollment:agreement-paper": {"pk": "application"},
    "enrollment:class-survey": {"pk": "class"},
    "enrollment:class-review": {"pk": "class"},
    "enrollment:class-bulk-approve": {"pk": "class"},
    "enrollment:class-submit": {"pk": "class"},
    "enrollment:paper-application": {"pk": "class"},
    "enrollment:paper-opt-out": {"pk": "class"},
    "enrollment:survey-figures": {"pk": "survey"},
    "enrollment:survey-close": {"pk": "survey"},
    "enrollment:submission-detail": {"pk": "submission"},
    "enrollment:submission-approve": {"pk": "submission"},
    "enrollment:waiver-decide": {"pk": "waiver"},
    "scheduling:roll": {"pk": "session"},
    "scheduling:club-roll": {"pk": "club"},
    "scheduling:leave-decide": {"pk": "leave"},
    "scheduling:leave-cancel": {"pk": "leave"},
    "scheduling:dismissal-class": {"pk": "class"},
    "scheduling:dismissal-undo": {"pk": "dismissal"},
    "scheduling:club-choose": {"pk": "child"},
    "scheduling:choice-window-edit": {"pk": "choice_window"},
    "scheduling:choice-window-delete": {"pk": "choice_window"},
    "scheduling:allocation-run": {"pk": "allocation_run"},
    "scheduling:allocation-publish": {"pk": "allocation_run"},
    "scheduling:allocation-withdraw": {"pk": "allocation"},
    "scheduling:allocation-move": {"pk": "allocation"},
    "scheduling:club-roster": {"pk": "club"},
    "scheduling:club-roster-pdf": {"pk": "club"},
    "billing:statement-detail": {"pk": "statement"},
    "billing:fee-sheet-job": {"pk": "fee_sheet_job"},
    "billing:refund-batch": {"pk": "refund_batch"},
    "billing:refund-batch-export": {"pk": "refund_batch"},
    "billing:fee-sheet-job-download": {"pk": "fee_sheet_job"},
    "enrollment:agreements-print-class": {"pk": "class"},
    "enrollment:agreement-pdf": {"pk": "application"},
    "enrollment:print-job": {"pk": "print_job"},
    "enrollment:print-job-download": {"pk": "print_job"},
}


class MissingSample(AssertionError):
    pass


def sample_key(route: Route, kwarg: str) -> str:
    """The sample (a key of the ``samples`` fixture) for one path argument."""
    key = URL_SAMPLES.get(route.name, {}).get(kwarg) or KWARG_SAMPLES.get(kwarg)
    if key is None:
        raise MissingSample(
            f"add a sample for kwarg {kwarg!r} of URL {route.name!r} ({route.template}): "
            f"an entry in URL_SAMPLES (or KWARG_SAMPLES for a descriptive name) in "
            f"tests/ops/urlwalk.py naming an object of school A / class A / child X, "
            f"and build that object in the `samples` fixture (tests/ops/conftest.py)"
        )
    return key


def url_for(route: Route, samples: dict[str, object]) -> str:
    """The route's URL with every path argument set to its sample's id."""
    values = {}
    for kwarg in route.kwargs:
        key = sample_key(route, kwarg)
        if key not in samples:
            raise MissingSample(
                f"URL {route.name!r} wants sample {key!r} for {kwarg!r}, but the `samples` "
                f"fixture (tests/ops/conftest.py) does not build one"
            )
        sample = samples[key]
        values[kwarg] = getattr(sample, "pk", sample)  # a row, or a plain value
    return reverse(route.name, kwargs=values) + URL_QUERIES.get(route.name, "")


# Text that would change something if a refused POST got through.
POST_DATA = {
    "reason": "理由",
    "answer": "decline",
    "action": "submit",
    "decision": "decline",
    "signed_name": "张伟",
    "consent": "on",
    "body": "新模板 {{ student_name }}",
    "allow_reapply": "on",
    "date": "2024-09-10",
    "notice": "停课通知",
    "kind": "holiday",
    "weekday": "0",
    "name": "新社团",
    "capacity": "30",
    "start_year": "2024",
    "confirm": "on",
    "all": "1",
    "left_on": "2024-09-09",
    "supervisor": "",
    "wants_noon": "on",
    "pickup_name": "某人",
    "goes_home_alone": "on",
}

# Sessions and login records change with every request; they are not data.
_NOT_DATA = {"sessions", "axes"}


def data_snapshot(samples: dict[str, object]) -> tuple:
    """Row counts of every table the app owns, and every field of every sample
    object: a refused request must leave both as they were."""
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models()
            if model._meta.app_label not in _NOT_DATA and model._meta.managed
        }
    )
    # One query for all tables (not one COUNT per model): the matrix takes
    # this snapshot around every request of every persona.
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        counts = tuple(zip(tables, cursor.fetchone(), strict=True))
    return counts, sample_values(samples)


def sample_values(samples: dict[str, object]) -> tuple:
    """Every field of every sample object, read again from the database."""
    return tuple(
        (key, type(obj)._default_manager.filter(pk=obj.pk).values().first())
        for key, obj in sorted(samples.items())
        if hasattr(obj, "_meta")
    )


def pdf_text(content: bytes) -> str:
    """All text of a PDF, whitespace removed (table cells wrap lines)."""
    import io
    import re

    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s", "", text)
