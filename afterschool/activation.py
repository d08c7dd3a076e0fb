"""Guardian logins: one-time activation codes, the 致家长的一封信 letters
that carry them, activating a login with its code and resetting it.

- ``activation_letters_issue`` / ``activation_letters_pdf`` issue fresh
  one-time codes for a class's guardians who have not activated yet and
  render 致家长的一封信, one A4 page per guardian.
- ``guardian_activate`` checks mobile + code and sets the password.
- ``guardian_login_reset`` voids a guardian's login and issues a new code
  (forgotten password, lost letter).
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext

from afterschool.idnumbers import normalize_mobile
from afterschool.models import (
    ActivationCode,
    ActivationThrottle,
    ClassMembership,
    Guardian,
    Guardianship,
    Role,
    SchoolClass,
    Student,
    User,
)
from afterschool.notices.services import notices_claim
from afterschool.selectors import current_term, school_fee_cap, term_times

# A guardian account counts as activated once it has a password of its own:
# the roster import creates logins with an unusable password ("!" prefix) and
# activation with the one-time code sets one.
ACTIVATED = Q(user__isnull=False) & ~Q(user__password__startswith="!")

ACTIVATION_CODE_DAYS = 30
# No 0/O, 1/I/L: the code is read off paper and typed on a phone.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 8


def _code_hash(code: str) -> str:
    # A keyed HMAC, not a password hash: codes are random (about 40 bits),
    # short-lived and single-use, and a class of 45 letters must print fast.
    return salted_hmac("afterschool.activation-code", code.upper(), algorithm="sha256").hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))


def normalize_code(raw: str) -> str:
    return re.sub(r"[\s\-]", "", raw or "").upper()


@dataclass
class LetterPage:
    """One page of 致家长的一封信: a guardian and their children in one class."""

    guardian: Guardian
    students: list[Student]
    relation: str
    code: str | None  # None when the account is already activated
    expires_at: datetime.datetime | None


def activation_letters_issue(
    *, school_class: SchoolClass, days: int = ACTIVATION_CODE_DAYS
) -> list[LetterPage]:
    """Issue fresh one-time codes for the guardians of ``school_class``'s
    students whose login is not activated yet (unusable password), deleting
    their older unused codes from this class's letters (a sibling's letter in
    another class keeps its code), and return one LetterPage per guardian in
    student order. Codes expire after ``days`` days; only their HMAC is
    stored. Guardians already activated get a page without a code.

    The class's students are its members of its own school year
    (``ClassMembership``) still in it: a child who has left (转学/离校, or
    graduated) gets no letter, nor does a guardian whose only children in
    the class have left.
    """
    now = timezone.now()
    expires_at = now + datetime.timedelta(days=days)
    links = (
        # One join: the membership of this class that is still open.
        Guardianship.objects.filter(
            student__memberships__school_class=school_class,
            student__memberships__end_date__isnull=True,
        )
        .select_related("guardian__user", "student")
        .order_by("student__student_number", "pk")
    )
    pages: dict[int, LetterPage] = {}
    for link in links:
        page = pages.get(link.guardian_id)
        if page is None:
            page = pages[link.guardian_id] = LetterPage(
                guardian=link.guardian,
                students=[],
                relation=link.relation,
                code=None,
                expires_at=None,
            )
        page.students.append(link.student)
    pending = [
        page
        for page in pages.values()
        if page.guardian.user is not None and not page.guardian.user.has_usable_password()
    ]
    with transaction.atomic():
        user_ids = [page.guardian.user_id for page in pending]
        ActivationCode.objects.filter(
            user_id__in=user_ids, used_at__isnull=True, school_class=school_class
        ).delete()
        codes = []
        for page in pending:
            page.code = _new_code()
            page.expires_at = expires_at
            codes.append(
                ActivationCode(
                    user_id=page.guardian.user_id,
                    school_class=school_class,
                    code_hash=_code_hash(page.code),
                    created_at=now,
                    expires_at=expires_at,
                )
            )
        ActivationCode.objects.bulk_create(codes)
    return list(pages.values())


def activation_letters_pdf(
    *, school_class: SchoolClass, site_url: str, pages: Iterable[LetterPage] | None = None
) -> bytes:
    """Issue codes (``activation_letters_issue``) and render the class's
    致家长的一封信 as one A4 PDF, one page per guardian. ``site_url`` is the
    address printed for logging in (e.g. https://kfw.example.cn)."""
    from afterschool.pdf import render_pdf

    if pages is None:
        pages = activation_letters_issue(school_class=school_class)
    school = school_class.school
    term = current_term(school=school, school_year=school_class.school_year)
    cap = school_fee_cap(school)
    base = site_url.rstrip("/")
    context = {
        "school": school,
        "school_class": school_class,
        "term": term,
        "times": term_times(term),
        "fee_cap_per_period": cap.per_period,
        "fee_cap_periods_per_day": cap.periods_per_day,
        "fee_cap_per_day": cap.per_day,
        "pages": list(pages),
        "login_url": f"{base}/login/",
        "activate_url": f"{base}/activate/",
        "activate_qr": qr_data_uri(f"{base}/activate/"),
        "login_qr": qr_data_uri(f"{base}/login/"),
        "today": timezone.localdate(),
    }
    return render_pdf("pdf/activation_letter.html", context)


def site_address(request=None) -> str:
    """The site's public address without a trailing slash, for what is
    printed or shown to be typed or scanned (letters, QR codes).

    ``settings.SITE_URL`` (e.g. ``https://kfw.example.cn``) when set, so a
    letter printed from a teacher's laptop on ``http://127.0.0.1:8101`` still
    names the school's real address; otherwise the address of ``request``
    (development). Raises ``ValueError`` when neither is available."""
    from django.conf import settings

    configured = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    if configured:
        return configured
    if request is None:
        raise ValueError("SITE_URL is not set and there is no request to take the address from")
    return request.build_absolute_uri("/").rstrip("/")


def qr_data_uri(text: str, *, scale: int = 4) -> str:
    """``text`` (a URL) as a QR code in an SVG ``data:`` URI, for an ``<img>``
    on a page (CSP allows ``data:`` images) or in a PDF letter."""
    import segno

    return segno.make(text, error="m").svg_data_uri(scale=scale, border=2)


class ActivationError(ValidationError):
    pass


GENERIC_ACTIVATION_ERROR = "手机号或激活码不正确，请核对激活信上的内容"


def _mobile_key(normalized: str) -> str:
    return salted_hmac("afterschool.activation-mobile", normalized, algorithm="sha256").hexdigest()


def _is_locked(key: str, now: datetime.datetime) -> bool:
    return ActivationThrottle.objects.filter(mobile_key=key, locked_until__gt=now).exists()


def _count_failure(key: str, now: datetime.datetime) -> None:
    """One more failed attempt for ``key``; locks it for
    ``settings.ACTIVATION_LOCKOUT`` at ``settings.ACTIVATION_FAILURE_LIMIT``
    failures within that window (a count older than the window starts over)."""
    limit = settings.ACTIVATION_FAILURE_LIMIT
    window = settings.ACTIVATION_LOCKOUT
    with transaction.atomic():
        row, _created = ActivationThrottle.objects.select_for_update().get_or_create(
            mobile_key=key, defaults={"first_failure_at": now}
        )
        if row.first_failure_at <= now - window:
            row.failures, row.first_failure_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + window
        row.save()


def guardian_activate(*, mobile: str, code: str, password: str) -> User:
    """Activate a guardian's login with the code from their letter.

    Failed attempts are counted per mobile (``ActivationThrottle``):
    ``settings.ACTIVATION_FAILURE_LIMIT`` wrong codes within
    ``settings.ACTIVATION_LOCKOUT`` lock that mobile for the same time, and a
    locked mobile is refused with the wrong-code message even for the right
    code (a guesser learns nothing). Policy: as the login lockout (5 / 15 min).

    ``mobile`` is normalised first; ``code`` ignores case, spaces and dashes.
    The code must belong to that mobile's guardian login, be unused and not
    expired; it is then marked used (single use) and ``password`` set (the
    caller has validated it). Raises ActivationError with one generic message
    for an unknown mobile or a wrong code (so the form does not reveal which
    mobiles exist), and a clear message for an expired code.
    """
    normalized = normalize_mobile(mobile) or ""
    key = _mobile_key(normalized or str(mobile or "").strip())
    now = timezone.now()
    if _is_locked(key, now):
        raise ActivationError(GENERIC_ACTIVATION_ERROR, code="invalid")
    try:
        user = _activate(normalized, normalize_code(code), password)
    except ActivationError as exc:
        if exc.code == "invalid":
            _count_failure(key, now)
        raise
    ActivationThrottle.objects.filter(mobile_key=key).delete()
    return user


def _activate(normalized: str, code: str, password: str) -> User:
    wanted = _code_hash(code)
    with transaction.atomic():
        user = (
            User.objects.select_for_update()
            .filter(username=normalized, role=Role.GUARDIAN, is_active=True)
            .first()
        )
        if user is None:
            raise ActivationError(GENERIC_ACTIVATION_ERROR, code="invalid")
        match = None
        for candidate in ActivationCode.objects.filter(user=user, used_at__isnull=True):
            if constant_time_compare(candidate.code_hash, wanted):
                match = candidate
        if match is None:
            raise ActivationError(GENERIC_ACTIVATION_ERROR, code="invalid")
        now = timezone.now()
        if match.expires_at <= now:
            raise ActivationError("该激活码已过期，请联系班主任重新打印激活信", code="expired")
        # Conditional update: a double submit uses the code once only.
        if not ActivationCode.objects.filter(pk=match.pk, used_at__isnull=True).update(used_at=now):
            raise ActivationError(GENERIC_ACTIVATION_ERROR, code="invalid")
        # The account is active now: a sibling's letter must not reset it later.
        ActivationCode.objects.filter(user=user, used_at__isnull=True).delete()
        user.set_password(password)
        user.save(update_fields=["password"])
        # Notices written to the guardian before the login existed show now.
        notices_claim(user=user)
    return user


@transaction.atomic
def guardian_login_reset(*, guardian: Guardian, days: int = ACTIVATION_CODE_DAYS) -> LetterPage:
    """Reset a guardian's login for staff (forgotten password, lost letter):
    the password becomes unusable, every unused code is voided, a login
    lockout (django-axes) is lifted, and a new one-time code is issued.

    Returns the LetterPage to print (the guardian's children at this school
    still in their class; all of them when none is).
    Raises ValidationError when the guardian has no login.
    """
    from axes.utils import reset as axes_reset

    user = guardian.user
    if user is None:
        raise ValidationError(gettext("该家长还没有登录账号，请先导入名册。"))
    user.set_unusable_password()
    user.save(update_fields=["password"])
    ActivationCode.objects.filter(user=user, used_at__isnull=True).delete()
    axes_reset(username=user.username)
    now = timezone.now()
    code = _new_code()
    expires_at = now + datetime.timedelta(days=days)
    ActivationCode.objects.create(
        user=user, code_hash=_code_hash(code), created_at=now, expires_at=expires_at
    )
    links = list(
        Guardianship.objects.filter(guardian=guardian)
        .select_related("student__school_class")
        .annotate(
            # Still in the latest class (not left, not graduated).
            in_class=Exists(
                ClassMembership.objects.filter(
                    student=OuterRef("student"),
                    school_class=OuterRef("student__school_class"),
                    end_date__isnull=True,
                )
            )
        )
        .order_by("student__student_number")
    )
    # The letter names the children still at school; all of them when every
    # child has left (the login is reset all the same).
    current = [link for link in links if link.in_class] or links
    return LetterPage(
        guardian=guardian,
        students=[link.student for link in current],
        relation=links[0].relation if links else "",
        code=code,
        expires_at=expires_at,
    )
