"""Translatable text helpers."""
from __future__ import annotations

from django.utils.functional import lazy


def _format(message, params: dict) -> str:
    return str(message) % params


_lazy = lazy(_format, str)


def lazy_format(message, params: dict):
    """``message % params`` evaluated when the text is shown, so that one message can be rendered in Chinese
    and in English (``_("…%(n)d…") % {...}`` would fix the language at the moment it is built)."""
    return _lazy(message, params)
