"""Translatable text helpers."""
from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy


def _format(message, params: dict) -> str:
    return str(message) % params


_lazy = lazy(_format, str)


def lazy_format(message, params: dict):
    """``message % params`` evaluated when the text is shown, so that one message can be rendered in Chinese
    and in English (``_("…%(n)d…") % {...}`` would fix the language at the moment it is built)."""
    return _lazy(message, params)


def translated(template: str, params: dict | None = None):
    """A message a pure module marked for the catalogue (``template``, Chinese, with ``%(name)s`` fields), in the
    language of the moment it is shown."""
    return lazy_format(gettext_lazy(template), params) if params else gettext_lazy(template)
