"""Fuzzing with hypothesis: whatever a school uploads as a
roster, and whatever a browser POSTs as an application form, the answer is
a page (a summary, problem lines, a form with errors, a redirect), never a
500 or an unhandled exception. The test client re-raises a view's exception,
so a 500 fails the example with its traceback.

Example counts are modest so CI stays fast; hypothesis keeps the failing
examples it finds in .hypothesis/ and replays them first.
"""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from afterschool.models import RosterUpload, School, Student
from afterschool.roster.importer import RosterInvalid, roster_import
from afterschool.roster.parse import ParsedRoster, RosterFileError, roster_parse
from enrollment.applications.forms import ApplicationForm
from tests.afterschool.rosterfiles import HEADER, csv_bytes, student
from tests.ops.urlwalk import private_routes, url_for

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# ------------------------------------------------------------------ cells

texts = st.text(max_size=40) | st.text(alphabet="0123456789Xx-+ ", max_size=25)
formulas = st.sampled_from(["=1+1", "=SUM(A1:A3)", '=HYPERLINK("http://x","y")', "=1/0", "@x"])
numbers = (
    st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3).map(float)
)
dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31))
# A plausible value for a column now and then, so rows get past the first check.
plausible = st.sampled_from(
    [
        "张三",
        "男",
        "女",
        "三年级（1）班",
        "3年级2班",
        "是",
        "否",
        "母亲",
        "13800138000",
        "2016-05-01",
    ]
)
cells = st.none() | texts | numbers | dates | st.booleans() | formulas | plausible
rows = st.lists(st.lists(cells, max_size=len(HEADER) + 2), max_size=8)
headers = st.sampled_from([HEADER, HEADER[:8], HEADER[::-1], ["姓名", "班级"], []]) | st.lists(
    texts, max_size=6
)


def xlsx(header: list, body: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in [header, *body]:
        sheet.append([_xlsx_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(value):
    # openpyxl refuses control characters and numbers Excel cannot hold;
    # such a cell cannot be in a real .xlsx file either.
    if isinstance(value, str):
        return "".join(ch for ch in value if ch >= " " or ch in "\t\n")[:32767]
    if isinstance(value, int) and abs(value) > 10**15:
        return float(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def csv_text(header: list, body: list[list]) -> str:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    for row in [header, *body]:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


encodings = st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "latin-1", "big5"])


def check_parse_and_import(school: School, filename: str, content: bytes) -> None:
    """The contract: a ParsedRoster (rows and/or problem lines) or a
    RosterFileError with a message; a valid roster's dry run gives a summary
    or RosterInvalid with problem lines."""
    try:
        roster = roster_parse(filename=filename, content=content)
    except RosterFileError as exc:
        assert str(exc)
        return
    assert isinstance(roster, ParsedRoster)
    for problem in roster.problems:
        assert str(problem)
    if not roster.is_valid:
        assert roster.problems
        return
    try:
        summary = roster_import(roster=roster, start_year=2024, school=school, dry_run=True)
    except RosterInvalid as exc:
        assert exc.problems and all(str(p) for p in exc.problems)
    else:
        assert summary.lines()


@pytest.fixture
def school(db):
    return School.objects.create(name="模糊测试小学")


class TestRosterParseAndImport:
    @FUZZ
    @given(header=headers, body=rows)
    def test_generated_xlsx_cells(self, school, header, body):
        check_parse_and_import(school, "名册.xlsx", xlsx(header, body))

    @FUZZ
    @given(header=headers, body=rows, encoding=encodings)
    def test_generated_csv_in_any_encoding(self, school, header, body, encoding):
        text = csv_text(header, body)
        check_parse_and_import(school, "名册.csv", text.encode(encoding, errors="replace"))

    @FUZZ
    @given(
        overrides=st.dictionaries(st.sampled_from(HEADER), cells, max_size=6),
        n=st.integers(1, 3),
    )
    def test_valid_rows_with_some_cells_replaced(self, school, overrides, n):
        body = [student(i) for i in range(1, n + 1)]
        body[0] = {**body[0], **overrides}
        check_parse_and_import(school, "名册.csv", csv_bytes(body))
        assert not Student.objects.exists()  # dry runs write nothing

    @FUZZ
    @given(
        content=st.binary(max_size=2048)
        | st.binary(max_size=64).map(lambda b: b"PK\x03\x04" + b)
        | st.binary(max_size=64).map(lambda b: b"\xef\xbb\xbf" + b)
        | st.binary(max_size=64).map(lambda b: b"MZ\x90\x00" + b),
        filename=st.sampled_from(["名册.xlsx", "名册.csv", "名册.XLSX"]),
    )
    def test_random_bytes(self, school, content, filename):
        check_parse_and_import(school, filename, content)


class TestRosterUploadView:
    @FUZZ
    @given(
        content=st.binary(max_size=1024)
        | st.builds(csv_text, headers, rows).map(lambda t: t.encode("gb18030", "replace"))
        | st.builds(xlsx, headers, rows),
        filename=st.sampled_from(["名册.xlsx", "名册.csv", "名册.exe", "名册.txt", "名册"]),
        start_year=st.sampled_from(["2024", "", "x", "-1", "99999999999999999999", "２０２４"]),
    )
    def test_upload_preview_and_confirm_never_fail(
        self, client, world, content, filename, start_year
    ):
        client.force_login(world.admin)
        with transaction.atomic():
            response = client.post(
                reverse("roster:upload"),
                {"file": SimpleUploadedFile(filename, content), "start_year": start_year},
            )
            assert response.status_code in (200, 302)
            if response.status_code == 200:
                assert not RosterUpload.objects.exists()
                assert 'class="invalid-feedback' in response.content.decode() or (
                    "alert-danger" in response.content.decode()
                )
            else:
                preview = client.get(response.url)
                assert preview.status_code == 200
                confirm = client.post(response.url + "confirm/")
                assert confirm.status_code == 302
            transaction.set_rollback(True)


# ------------------------------------------------------------------ application form

FORM_FIELDS = list(ApplicationForm.base_fields)
form_values = (
    st.text(max_size=60)
    | st.text(max_size=5000)
    | st.sampled_from(["on", "off", "true", "1", "0", "", "13800138000", "+86 138-0013-8000"])
    | st.integers(min_value=-(10**20), max_value=10**20).map(str)
    | formulas
)


class TestApplicationForm:
    @FUZZ
    @given(
        data=st.dictionaries(
            st.sampled_from([*FORM_FIELDS, "action", "student", "status", "term"]),
            form_values | st.lists(form_values, max_size=3),
            max_size=len(FORM_FIELDS) + 2,
        ),
        action=st.sampled_from(["save", "submit", "", "approve"]),
    )
    def test_guardian_post_shows_errors_or_redirects(self, client, world, data, action):
        from tests import factories as f

        f.make_term(world.school)
        client.force_login(world.guardian_x.user)
        url = reverse("enrollment:application-edit", args=[world.child_x.pk])
        with transaction.atomic():
            response = client.post(url, {**data, "action": data.get("action", action)})
            assert response.status_code in (200, 302)
            if response.status_code == 200:
                assert response.context["form"].errors or response.context["form"].is_bound
            transaction.set_rollback(True)


# ------------------------------------------------------------------ every GET parameter

# Parameters pages read from the query string (``afterschool.params`` and the
# filters); each page's own are added from its links and GET forms, so a new
# page or parameter is fuzzed without a change here.
GET_PARAMS = [
    "term", "month", "week", "day", "date", "class", "student", "year", "format",
    "page", "q", "status", "grade", "kind", "sort", "next", "club", "person", "room",
]  # fmt: skip
bad_values = (
    st.sampled_from(
        [
            "abc",
            "-1",
            "0",
            "1.5",
            "1e9",
            "9999-12-31",
            "0001-01-01",
            "2024-13",
            "2024-02-30",
            "9999-12",
            "0000-01",
            "99999999999999999999",
            "130925201608179253x",
            "'",
            '"',
            "<script>",
            "%00",
            "\x00",
            "２０２４",
            "1" * 300,
            "term",
            "pdf",
            "xlsx",
            "csv",
        ]
    )  # fmt: skip
    | st.text(max_size=30)
    | st.integers(min_value=-(10**20), max_value=10**20).map(str)
    | st.dates().map(str)
)
_LINK_PARAM = re.compile(r"[?&;](?:amp;)?([A-Za-z_][A-Za-z0-9_]{0,30})=")
_GET_FORM = re.compile(r"<form(?![^>]*method=\"post\")[^>]*>(.*?)</form>", re.S | re.I)
_FIELD_NAME = re.compile(r"name=\"([A-Za-z_][A-Za-z0-9_]{0,30})\"")


def page_params(html: str) -> list[str]:
    """Query parameter names a page's links and GET forms use."""
    names = set(_LINK_PARAM.findall(html))
    for form in _GET_FORM.findall(html):
        names.update(_FIELD_NAME.findall(form))
    names.discard("csrfmiddlewaretoken")
    return sorted(names)


def _owner_client(world, url, samples):
    """A client logged in as the first persona of school A that reaches ``url``."""
    from django.test import Client

    from tests.ops.test_url_matrix import OWNERS, persona_user

    client = Client(raise_request_exception=True)
    for persona in OWNERS:
        client.force_login(persona_user(world, persona, samples))
        response = client.get(url)
        if response.status_code not in (403, 404, 405):
            return client, response
    return None, None


def test_every_get_parameter_never_gives_a_500(world, samples):
    """Any value of any query parameter on any page: a page, a redirect or a
    400/404 (the test client re-raises a view's exception, so a 500 fails
    with its traceback). One test over every route, so the samples are built
    once."""
    for route in private_routes():
        _fuzz_get(world, samples, route)


def _fuzz_get(world, samples, route):
    url = url_for(route, samples)
    client, first = _owner_client(world, url, samples)
    if client is None:
        return  # no persona of school A reaches it (see test_url_matrix)
    content_type = first.get("Content-Type", "")
    html = first.content.decode(errors="replace") if content_type.startswith("text/html") else ""
    names = sorted({*GET_PARAMS, *page_params(html)})
    base = url.split("?")[0]
    fixed = dict(p.split("=", 1) for p in url.partition("?")[2].split("&") if "=" in p)

    # A PDF page renders the same view's reading of its parameters as its
    # HTML page, at ~0.5 s a PDF: fewer examples for those.
    examples = 3 if content_type.startswith("application/pdf") else 8

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None)
    @given(params=st.dictionaries(st.sampled_from(names), bad_values, min_size=1, max_size=4))
    def fuzz(params):
        with transaction.atomic():
            response = client.get(base, {**fixed, **params})
            assert response.status_code < 500, (route.name, params, response.status_code)
            transaction.set_rollback(True)

    fuzz()


class TestBadQueryParameters:
    """What the attack probe sent: a 400 page, not a 500 (afterschool.params)."""

    @pytest.mark.parametrize(
        ("name", "query", "persona"),
        [
            ("billing:fee-sheet", "?class=abc", "admin"),
            ("billing:statements", "?class=abc", "admin"),
            ("billing:statements", "?class=130925201608179253x", "admin"),
            ("scheduling:roll-index", "?date=9999-12-31", "admin"),
            ("scheduling:absences", "?date=9999-12-31", "admin"),
            ("scheduling:calendar", "?month=9999-12", "admin"),
        ],
    )
    def test_answers_400(self, client, world, samples, name, query, persona):
        client.force_login(getattr(world, persona))
        response = client.get(reverse(name) + query)
        assert response.status_code == 400
        assert "请求无法处理" in response.content.decode()

    def test_helpers(self):
        from afterschool.params import BadQueryParameter, date_param, id_param, month_param

        assert id_param("", "class") is None and id_param("12", "class") == 12
        assert date_param("2024-09-05", "date") == datetime.date(2024, 9, 5)
        assert month_param("2024-9", "month") == datetime.date(2024, 9, 1)
        for call, value in [
            (id_param, "abc"),
            (id_param, "0"),
            (id_param, "99999999999999999999"),
            (id_param, "１２"),
            (date_param, "9999-12-31"),
            (date_param, "2024-02-30"),
            (month_param, "0000-01"),
            (month_param, "2024-13"),
        ]:
            with pytest.raises(BadQueryParameter):
                call(value, "x")


# ------------------------------------------------------------------ every form

_POST_FORM = re.compile(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", re.S | re.I)


def form_fields(html: str) -> list[str]:
    """Field names of a page's POST forms."""
    names = set()
    for form in _POST_FORM.findall(html):
        names.update(_FIELD_NAME.findall(form))
    names.discard("csrfmiddlewaretoken")
    return sorted(names)


def test_every_form_never_gives_a_500(world, samples):
    """Any values in the fields of a page's forms (or the URL matrix's POST
    data for a POST-only URL), posted by the persona of school A who reaches
    it: a page with errors, a redirect, 400/403/404/405, never a 500. One
    test over every route, so the samples are built once."""
    for route in private_routes():
        _fuzz_form(world, samples, route)


def _fuzz_form(world, samples, route):
    from django.test import Client

    from tests.ops.test_url_matrix import OWNERS, persona_user
    from tests.ops.urlwalk import POST_DATA

    url = url_for(route, samples)
    client = Client(raise_request_exception=True)
    names = sorted(POST_DATA)
    for persona in OWNERS:
        client.force_login(persona_user(world, persona, samples))
        response = client.get(url)
        if response.status_code in (403, 404):
            continue
        if response.get("Content-Type", "").startswith("text/html"):
            names = sorted({*form_fields(response.content.decode(errors="replace")), *names})
        break
    else:
        return  # no persona of school A reaches it (see test_url_matrix)

    @settings(max_examples=6, deadline=None, derandomize=True, database=None)
    @given(data=st.dictionaries(st.sampled_from(names), bad_values, max_size=6))
    def fuzz(data):
        with transaction.atomic():
            response = client.post(url, data)
            assert response.status_code < 500, (route.name, data, response.status_code)
            transaction.set_rollback(True)

    fuzz()
