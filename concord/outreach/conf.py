"""Outreach settings: each read from Django settings when set there, else from the environment, else a default.

CONCORD_SMS_ADAPTER   "sink" (default: writes to the outbox folder, for the demo) or "http"
CONCORD_SMS_URL       the provider's JSON endpoint (http adapter)
CONCORD_SMS_TOKEN     bearer token sent to the provider
CONCORD_SMS_TIMEOUT   seconds (default 10)
CONCORD_SMS_RECEIPT_TOKEN  token the provider must send to /outreach/receipts/ and /outreach/inbound/
CONCORD_OUTBOX_DIR    the sink's folder (default DATA_DIR/outbox)
EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL, EMAIL_TIMEOUT
CONCORD_EMAIL_FROM    the From address (default DEFAULT_FROM_EMAIL)
CONCORD_SENDER_PHONE / CONCORD_SENDER_EMAIL / CONCORD_SENDER_ADDRESS / CONCORD_PAYMENT_URL
                      a creditor's contact details when it has no sender profile
CONCORD_LETTER_FONT   TrueType/TTC CJK font for letters (default fonts-wqy-microhei)
CONCORD_LETTER_FALLBACK_FONTS  colon-separated TrueType fonts for the characters the main font lacks (default
                      HanaMin A and B of fonts-hanazono: the CJK extensions B and later)
"""
from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

DEFAULTS = {
    "CONCORD_SMS_ADAPTER": "sink", "CONCORD_SMS_URL": "", "CONCORD_SMS_TOKEN": "", "CONCORD_SMS_TIMEOUT": "10",
    "CONCORD_SMS_RECEIPT_TOKEN": "", "CONCORD_OUTBOX_DIR": "", "CONCORD_EMAIL_FROM": "",
    "CONCORD_SENDER_PHONE": "", "CONCORD_SENDER_EMAIL": "", "CONCORD_SENDER_ADDRESS": "", "CONCORD_PAYMENT_URL": "",
    "CONCORD_LETTER_FONT": "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "CONCORD_LETTER_FALLBACK_FONTS": "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf:"
                                     "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
}
EMAIL_SETTINGS = {"EMAIL_HOST": ("host", str), "EMAIL_PORT": ("port", int), "EMAIL_HOST_USER": ("username", str),
                  "EMAIL_HOST_PASSWORD": ("password", str), "EMAIL_USE_TLS": ("use_tls", bool),
                  "EMAIL_USE_SSL": ("use_ssl", bool), "EMAIL_TIMEOUT": ("timeout", float)}


def setting(name: str, default=None):
    if hasattr(settings, name):  # set in the settings module (or a test's override)
        return getattr(settings, name)
    if name in os.environ:
        return os.environ[name]
    return DEFAULTS.get(name, default)


def _cast(kind, value):
    if value is None or kind is str or not isinstance(value, str):
        return value
    if kind is bool:
        return value.strip().lower() in ("1", "true", "yes", "on")
    return kind(value) if value.strip() else None


def email_connection_kwargs() -> dict:
    """SMTP settings for ``get_connection``: Django settings where set, else the environment."""
    out = {}
    for name, (kwarg, kind) in EMAIL_SETTINGS.items():
        if settings.is_overridden(name):
            out[kwarg] = getattr(settings, name)
        elif name in os.environ:
            out[kwarg] = _cast(kind, os.environ[name])
    if out.get("timeout") is None:
        out["timeout"] = getattr(settings, "EMAIL_TIMEOUT", None) or 15
    return out


def email_from() -> str:
    return setting("CONCORD_EMAIL_FROM") or settings.DEFAULT_FROM_EMAIL


def outbox_dir() -> Path:
    folder = setting("CONCORD_OUTBOX_DIR")
    return Path(folder) if folder else Path(settings.DATA_DIR) / "outbox"


def sms_timeout() -> float:
    return float(setting("CONCORD_SMS_TIMEOUT") or 10)
