"""Money on every page in one format: thousands separators and two decimals, half-up to the fen (``core.money``).

``{{ x|amount }}`` → ``3,300.00``; ``{{ x|money }}`` → ``¥3,300.00`` (a creditor in another currency passes its
code: ``{{ x|money:"USD" }}`` → ``US$3,300.00``). Loaded for every template (``builtins`` in the settings)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from concord.core.money import to_money

register = template.Library()

SYMBOLS = {"CNY": "¥", "RMB": "¥", "USD": "US$", "HKD": "HK$", "EUR": "€"}


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        return to_money(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        return None


@register.filter
def amount(value) -> str:
    d = _decimal(value)
    return "" if d is None else f"{d:,.2f}"


@register.filter
def money(value, currency: str = "CNY") -> str:
    d = _decimal(value)
    if d is None:
        return ""
    symbol = SYMBOLS.get((currency or "CNY").upper(), f"{currency} ")
    return f"-{symbol}{-d:,.2f}" if d < 0 else f"{symbol}{d:,.2f}"
