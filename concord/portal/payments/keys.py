"""Keys for the payment providers. Nothing secret is in the repository: Alipay's and WeChat Pay's keys are files the
operator names in the settings; the sandbox's two key pairs (the merchant's, which signs our requests, and the
sandbox platform's, which signs its notifications) are generated on first use into ``CONCORD_PORTAL_KEY_DIR``
(default ``var/portal-keys``, private files readable by the owner only)."""
from __future__ import annotations

import os
import threading
from pathlib import Path

from django.conf import settings

_lock = threading.Lock()


def key_dir() -> Path:
    return Path(getattr(settings, "CONCORD_PORTAL_KEY_DIR", None) or (Path(settings.DATA_DIR) / "portal-keys"))


def generate_pair() -> tuple[str, str]:
    """A fresh RSA-2048 pair as PEM text: (private PKCS#8, public SubjectPublicKeyInfo)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def local_pair(name: str) -> tuple[str, str]:
    """The key pair ``name`` kept in the key folder, generated the first time it is asked for."""
    folder = key_dir()
    private_file, public_file = folder / f"{name}-private.pem", folder / f"{name}-public.pem"
    with _lock:
        if not (private_file.exists() and public_file.exists()):
            folder.mkdir(parents=True, exist_ok=True)
            private, public = generate_pair()
            fd = os.open(private_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(private)
            public_file.write_text(public)
        return private_file.read_text(), public_file.read_text()


def read_setting_file(name: str) -> str:
    """The text of the file a setting names (a key the operator installed); empty when unset."""
    path = getattr(settings, name, "") or os.environ.get(name, "")
    return Path(path).read_text() if path else ""


def setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, "") or os.environ.get(name, "") or default)
