"""A logging filter that keeps ID numbers and mobile numbers out of the logs.

Attached to the console handler in settings.LOGGING, so every record that is
written (our own, Django's, gunicorn's error log, libraries') passes it; every
logger that does not propagate is given that handler too, and Python's
last-resort handler (used when a logger has no handler at all) is replaced by
:class:`ScrubbingLastResortHandler` in ``AfterschoolConfig.ready``.
School policy: "no personal data in logs or error pages".
"""

from __future__ import annotations

import logging
import re
import traceback

# 18-character resident ID (GB 11643): 17 digits and a digit or X, not part of
# a longer number. Letters around it do not protect it: in
# ``?class=130925201608179253x`` the ID number is glued to an ``x``.
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
# Mainland mobile, optionally with +86/0086/86 and spaces or dashes as people
# type them: 13800138000, +86 138-0013-8000.
_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")

ID_NUMBER_PLACEHOLDER = "<id-number>"
MOBILE_PLACEHOLDER = "<mobile>"


def scrub_personal_data(text: str) -> str:
    """``text`` with every ID number and mobile replaced by a placeholder."""
    text = _ID_NUMBER.sub(ID_NUMBER_PLACEHOLDER, text)
    return _MOBILE.sub(MOBILE_PLACEHOLDER, text)


class ScrubPersonalDataFilter(logging.Filter):
    """Rewrites a record's message, traceback and stack with the data blanked.

    The message is formatted once (``msg % args``) and stored back without
    args, so the ID number in an argument is caught as well as one in the
    format string. Never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep Python's own handling
            return True
        record.msg = scrub_personal_data(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = scrub_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub_personal_data(record.stack_info)
        return True


class ScrubbingLastResortHandler(logging.StreamHandler):
    """Python's last-resort handler (stderr, WARNING and up) with the scrub filter.

    ``logging.lastResort`` writes records of loggers that have no handler
    anywhere up their chain; the stock one has no filter, so a traceback could
    print an ID number. Installed by :func:`install_last_resort`.
    """

    def __init__(self):
        super().__init__()  # sys.stderr at emit time through the property below
        self.setLevel(logging.WARNING)
        self.addFilter(ScrubPersonalDataFilter())

    @property
    def stream(self):
        import sys

        return sys.stderr

    @stream.setter
    def stream(self, value):  # StreamHandler.__init__ assigns it; stderr is always used
        pass


def install_last_resort() -> None:
    """Replace ``logging.lastResort`` by a scrubbing handler (idempotent)."""
    if not isinstance(logging.lastResort, ScrubbingLastResortHandler):
        logging.lastResort = ScrubbingLastResortHandler()
