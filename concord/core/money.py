"""Money helpers: exact yuan amounts as ``Decimal``, never ``float``.

All amounts are kept in yuan with two decimal places (the fen, 分) and are
rounded half-up, the usual convention for CNY statements.  Floats are refused
outright because binary floating point cannot represent most fen values.

Pure Python, no Django imports.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
"""The smallest unit of the yuan (分); every money amount is a multiple of it."""

MoneyInput = Decimal | int | str

_CURRENCY_PREFIXES = ("人民币", "RMB", "CNY", "¥", "￥")
_CURRENCY_SUFFIXES = ("人民币", "RMB", "CNY", "元", "块")
_UNIT_MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
_PLAIN_NUMBER = re.compile(r"\d+(\.\d+)?|\.\d+")
_GROUPED_NUMBER = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")


def to_decimal(value: MoneyInput, name: str = "value") -> Decimal:
    """Convert ``value`` to a finite ``Decimal`` without rounding.

    Accepts ``Decimal``, ``int`` or a numeric ``str``.  Raises ``TypeError`` for
    floats, bools and other types, ``ValueError`` for text that is not a number
    or for NaN/infinity.  ``name`` is used in the error messages.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"{name} must be a Decimal, int or str, not {type(value).__name__}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{name} is not a number: {value!r}") from None
    else:
        raise TypeError(f"{name} must be a Decimal, int or str, not {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return result


def to_money(value: MoneyInput) -> Decimal:
    """Return ``value`` as yuan quantized half-up to the fen, e.g. ``Decimal("12.35")``.

    Accepts ``Decimal``, ``int`` or ``str``; raises ``TypeError`` for ``float``.
    Negative zero is normalised to ``0.00``.
    """
    amount = to_decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)
    return abs(amount) if amount.is_zero() else amount


def to_fen(value: MoneyInput) -> int:
    """Return ``value`` (in yuan) as a whole number of fen, rounding half-up."""
    return int(to_money(value) * 100)


def from_fen(fen: int) -> Decimal:
    """Return a whole number of fen as yuan, e.g. ``from_fen(530727) == Decimal("5307.27")``."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"fen must be an int, not {type(fen).__name__}")
    return Decimal(fen).scaleb(-2)


def parse_amount(text: str) -> Decimal:
    """Parse a human-entered, non-negative yuan amount into a ``Decimal``.

    Understands thousands separators, currency marks and the 万/亿 units::

        "1234.5"      -> 1234.50
        "1,234.50"    -> 1234.50
        "¥1,234.50"   -> 1234.50
        "1234.5元"    -> 1234.50
        "1.2万"       -> 12000.00

    Raises ``ValueError`` with a message quoting the input when the text is
    empty, not a number or negative, and ``TypeError`` when it is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"amount text must be a str, not {type(text).__name__}")
    cleaned = text.strip().replace("，", ",").replace(" ", "")
    if cleaned.startswith("-") or cleaned.startswith("−"):
        raise ValueError(f"amount must not be negative: {text!r}")
    cleaned = _strip_affixes(cleaned)
    multiplier = Decimal(1)
    if cleaned and cleaned[-1] in _UNIT_MULTIPLIERS:
        multiplier = _UNIT_MULTIPLIERS[cleaned[-1]]
        cleaned = cleaned[:-1]
    if cleaned.startswith("-"):
        raise ValueError(f"amount must not be negative: {text!r}")
    if _GROUPED_NUMBER.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    if not _PLAIN_NUMBER.fullmatch(cleaned):
        raise ValueError(f"not a valid amount: {text!r} (expected e.g. '1,234.50', '¥1234.5' or '1.2万')")
    return to_money(Decimal(cleaned) * multiplier)


def _strip_affixes(text: str) -> str:
    """Remove one leading currency mark and trailing currency words (元, RMB, ...)."""
    for prefix in _CURRENCY_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix):]
            break
    for suffix in _CURRENCY_SUFFIXES:
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    return text
