"""No personal data in logs: ID numbers and mobiles are blanked on the way out."""

from __future__ import annotations

import datetime
import io
import logging
import sys

import pytest

from afterschool.logging import ScrubPersonalDataFilter, scrub_personal_data
from tests.factories import make_id_number

ID_NUMBER = make_id_number(datetime.date(2016, 5, 1), 123)  # 18 characters


def record(msg, *args, exc_info=None):
    return logging.LogRecord("test", logging.ERROR, __file__, 1, msg, args, exc_info)


class TestScrubPersonalData:
    @pytest.mark.parametrize(
        "text",
        [
            ID_NUMBER,
            "13092520160501123X",
            "13092520160501123x",
            "13800138000",
            "+86 138-0013-8000",
            "+8613800138000",
            "8613800138000",
            "008613800138000",
            "138 0013 8000",
        ],
    )
    def test_blanks_the_number(self, text):
        scrubbed = scrub_personal_data(f"学生 {text} 导入失败")
        assert scrubbed in {"学生 <id-number> 导入失败", "学生 <mobile> 导入失败"}

    @pytest.mark.parametrize(
        "text",
        [
            "order 1234567890",  # 10 digits
            "ts 1732867200000",  # 13-digit timestamp
            "12800138000",  # 11 digits but not a mobile prefix
            "row 42 of 1080",
            "/students/12345/",
            "1234567890123456789",  # 19 digits: not an ID number
        ],
    )
    def test_leaves_other_numbers_alone(self, text):
        assert scrub_personal_data(text) == text


class TestScrubPersonalDataFilter:
    def test_scrubs_format_arguments(self):
        rec = record("guardian %s child %s", "13800138000", ID_NUMBER)
        assert ScrubPersonalDataFilter().filter(rec) is True
        assert rec.getMessage() == "guardian <mobile> child <id-number>"

    def test_scrubs_the_traceback(self):
        try:
            raise ValueError(f"duplicate key (id_number)=({ID_NUMBER})")
        except ValueError:
            rec = record("import failed", exc_info=sys.exc_info())
        ScrubPersonalDataFilter().filter(rec)
        text = logging.Formatter().format(rec)
        assert ID_NUMBER not in text
        assert "duplicate key (id_number)=(<id-number>)" in text

    def test_configured_console_handler_scrubs_django_loggers(self):
        # The handler built from settings.LOGGING, not a hand-made one.
        handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
        stream = io.StringIO()
        old = handler.setStream(stream)
        try:
            logging.getLogger("django.request").error(
                "Internal Server Error: /students/?id=%s&mobile=%s", ID_NUMBER, "13800138000"
            )
        finally:
            handler.setStream(old)
        output = stream.getvalue()
        assert "Internal Server Error: /students/?id=<id-number>&mobile=<mobile>" in output
        assert ID_NUMBER not in output
        assert "13800138000" not in output


class TestEveryLoggerIsScrubbed:
    """Every way out of logging passes the filter: handlers, lone loggers, last resort."""

    def test_digits_glued_to_letters_are_still_an_id_number(self):
        text = "ValueError: Field 'id' expected a number but got '130925201608179253x'."
        assert "130925201608179253" not in scrub_personal_data(text)
        assert scrub_personal_data("abc13092520160501123Xdef") == "abc<id-number>def"

    def test_disallowed_host_goes_through_the_scrubbing_handler(self, client, settings):
        settings.ALLOWED_HOSTS = ["testserver"]
        handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
        stream = io.StringIO()
        old = handler.setStream(stream)
        try:
            response = client.get("/", headers={"host": "13800138001.evil"})
        finally:
            handler.setStream(old)
        assert response.status_code == 400
        output = stream.getvalue()
        assert "Invalid HTTP_HOST header" in output
        assert "13800138001" not in output
        assert "<mobile>" in output

    def test_last_resort_handler_scrubs(self, capsys):
        assert isinstance(logging.lastResort, logging.Handler)
        assert any(isinstance(f, ScrubPersonalDataFilter) for f in logging.lastResort.filters)
        orphan = logging.getLogger("tests.orphan.no_handler")
        orphan.propagate = False
        try:
            orphan.error("guardian %s", "13800138000")
        finally:
            orphan.propagate = True
        err = capsys.readouterr().err
        assert "guardian <mobile>" in err
        assert "13800138000" not in err

    def test_no_configured_logger_writes_around_the_filter(self):
        # A logger that stops propagation must carry its own scrubbing handler.
        for name, logger in logging.root.manager.loggerDict.items():
            if not isinstance(logger, logging.Logger) or logger.propagate:
                continue
            for handler in logger.handlers:
                if type(handler).__module__.startswith("_pytest"):
                    continue  # pytest's own capture handlers
                assert any(isinstance(f, ScrubPersonalDataFilter) for f in handler.filters), (
                    name,
                    handler,
                )
