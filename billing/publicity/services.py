"""Publishing a term's fee (收费公示) before it is collected."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from afterschool.audit import audited
from afterschool.models import Term, User
from billing.models import FeePublication


@transaction.atomic
def fee_publication_publish(*, term: Term, by: User | None, how_to_pay: str = "") -> FeePublication:
    """Publish ``term``'s fee (收费公示; DESIGN.md "National rules": the fee is
    published before it is collected), or update the payment words of an
    existing publication. ``how_to_pay``: the school's words on how families
    pay (at most 300 characters; blank means the default wording of the
    notice). Publishing twice keeps one publication with its first date, and
    writes nothing when nothing changed.

    Raises ``ValidationError`` for a text over 300 characters."""
    how_to_pay = how_to_pay.strip()
    if len(how_to_pay) > 300:
        raise ValidationError({"how_to_pay": [_("缴费方式说明最多 300 字。")]})
    publication = FeePublication.objects.select_for_update().filter(term=term).first()
    if publication is not None and publication.how_to_pay == how_to_pay:
        return publication  # nothing changed: nothing written (demo reloads)
    if publication is None:
        publication = FeePublication(
            term=term, school_id=term.school_id, published_by=by, published_at=timezone.now()
        )
    publication.how_to_pay = how_to_pay
    audited(publication, by).save()
    return publication


def fee_publication_required(term: Term) -> None:
    """Refuse to bill ``term`` before its fee is published (收费公示).

    Raises ``ValidationError`` naming the page to publish it on."""
    if not FeePublication.objects.filter(term=term).exists():
        raise ValidationError(
            _("%(term)s的收费尚未公示：请先在“收费公示”页公示收费标准，再生成账单。")
            % {"term": term}
        )
