"""Money arithmetic: Decimal yuan, rounded to the fen once, on the line.

THE rule (documented in ``billing.models`` and on every fee sheet): a line's
amount is ``quantity × unit price`` (or a percentage of a base) rounded to
0.01 yuan half up (``ROUND_HALF_UP``: 0.005 → 0.01, −0.005 → −0.01).
Totals are sums of rounded lines and are not rounded again, so a statement's
total always equals the sum of what the guardian reads on it. Floats never
appear: 17 × 4.15 is 70.55, not the 70.49 a float invoice once printed.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
ROUNDING_RULE = "每行金额按四舍五入保留到分，合计为各行金额之和"


def to_fen(value: Decimal) -> Decimal:
    """``value`` rounded to the fen, half up. Refuses floats (TypeError)."""
    if isinstance(value, float):
        raise TypeError("money must be Decimal, not float")
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def line_amount(quantity: Decimal | int, unit_price: Decimal) -> Decimal:
    """``quantity × unit_price`` in yuan, rounded once to the fen (half up).

    >>> line_amount(17, Decimal("4.15"))
    Decimal('70.55')
    """
    return to_fen(Decimal(quantity) * unit_price)


def percent_of(base: Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``base`` yuan, rounded once to the fen (half up)."""
    return to_fen(base * percent / Decimal(100))


def total(amounts: Iterable[Decimal]) -> Decimal:
    """The sum of already-rounded line amounts (never rounded again)."""
    return sum(amounts, ZERO)
