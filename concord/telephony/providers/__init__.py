"""The configured telephony provider: ``settings.CONCORD_TELEPHONY_PROVIDER`` (``manual`` by default, ``sip``,
``clink``) with its options in ``settings.CONCORD_TELEPHONY_OPTIONS`` (see docs/operator-guide.md)."""
from __future__ import annotations

import json

from django.conf import settings

from .base import CallEvent, CallRecord, DialRequest, Provider, ProviderError

__all__ = ["CallEvent", "CallRecord", "DialRequest", "Provider", "ProviderError", "current", "by_name", "NAMES"]

NAMES = ("manual", "sip", "clink")


_registered: dict = {}


def register(name: str, factory) -> None:
    """Make another provider class available by name (a deployment's own adapter)."""
    _registered[name] = factory


_instances: dict = {}


def by_name(name: str, options: dict | None = None) -> Provider:
    """The provider ``name`` with ``options``: one instance per configuration (a SIP provider keeps its phones'
    connections and what they heard)."""
    key = (name, json.dumps(options or {}, sort_keys=True, default=str))
    if key not in _instances:
        _instances[key] = _make(name, options)
    return _instances[key]


def _make(name: str, options: dict | None) -> Provider:
    if name in _registered:
        return _registered[name](options)
    if name == "manual":
        from .manual import ManualProvider
        return ManualProvider(options)
    if name == "sip":
        from .sip import SipProvider
        return SipProvider(options)
    if name == "clink":
        from .clink import ClinkProvider
        return ClinkProvider(options)
    raise ProviderError(f"unknown telephony provider {name!r}")


def current() -> Provider:
    """The configured provider."""
    name = getattr(settings, "CONCORD_TELEPHONY_PROVIDER", "manual") or "manual"
    return by_name(name, getattr(settings, "CONCORD_TELEPHONY_OPTIONS", {}) or {})
