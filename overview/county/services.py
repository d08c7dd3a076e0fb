"""Writes for the county: issuing the regional platform's API token."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from afterschool.models import County


def token_hash(token: str) -> str:
    """The stored form of an API token: SHA-256 hex. Tokens are 32 random
    bytes, so a plain hash (no salt, no slow KDF) is enough to keep a
    database leak from giving the token away."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def county_token_issue(*, county: County, token: str | None = None) -> str:
    """Issue a new API token for ``county`` and return it in plain text (shown
    once; only its hash is kept). The county's previous token stops working.
    ``token`` lets the demo set a known one."""
    token = token or secrets.token_urlsafe(32)
    county.api_token_hash = token_hash(token)
    county.api_token_issued_at = timezone.now()
    county.save(update_fields=["api_token_hash", "api_token_issued_at"])
    return token


def county_for_token(token: str) -> County | None:
    """The county whose API token is ``token``, else None (an empty token,
    a wrong one, a county without a token). One query."""
    if not token:
        return None
    wanted = token_hash(token)
    county = County.objects.filter(api_token_hash=wanted).first()
    if county is None or not hmac.compare_digest(county.api_token_hash, wanted):
        return None
    return county
