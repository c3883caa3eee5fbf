"""The configured telephony provider: ``settings.CONCORD_TELEPHONY_PROVIDER`` (``manual`` by default, ``sip``,
``clink``) with its options in ``settings.CONCORD_TELEPHONY_OPTIONS`` (see docs/operator-guide.md)."""
from __future__ import annotations

from django.conf import settings

from .base import CallEvent, CallRecord, DialRequest, Provider, ProviderError

__all__ = ["CallEvent", "CallRecord", "DialRequest", "Provider", "ProviderError", "current", "by_name", "NAMES"]

NAMES = ("manual", "sip", "clink")


_registered: dict = {}


def register(name: str, factory) -> None:
    """Make another provider class available by name (a deployment's own adapter)."""
    _registered[name] = factory


def by_name(name: str, options: dict | None = None) -> Provider:
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


_instances: dict = {}


def current() -> Provider:
    """The configured provider (one instance per configuration: a SIP provider keeps its connections)."""
    name = getattr(settings, "CONCORD_TELEPHONY_PROVIDER", "manual") or "manual"
    options = getattr(settings, "CONCORD_TELEPHONY_OPTIONS", {}) or {}
    key = (name, repr(sorted(options.items())))
    if key not in _instances:
        _instances[key] = by_name(name, options)
    return _instances[key]
