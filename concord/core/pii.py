"""PII protection: AES-GCM encryption at rest and keyed blind indexes for exact-match search.

The key comes from ``CONCORD_PII_KEY`` (urlsafe base64 of 32 bytes). When it is unset, a key file in the
data directory is used, created on first use (the demo relies on this; production sets the variable).
Sub-keys are derived with HKDF so the encryption key never doubles as the index key: one for fields, one for blind
indexes, one for files at rest (``core.sealed``).
"""
from __future__ import annotations

import base64
import functools
import hmac
import os
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1:"


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _master_key() -> bytes:
    text = settings.CONCORD_PII_KEY
    if not text:
        path = Path(settings.CONCORD_PII_KEY_FILE)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others
            with os.fdopen(fd, "w") as fh:
                fh.write(generate_key())
        text = path.read_text().strip()
    try:
        key = base64.urlsafe_b64decode(text)
    except ValueError as exc:
        raise ImproperlyConfigured("CONCORD_PII_KEY is not valid base64") from exc
    if len(key) != 32:
        raise ImproperlyConfigured("CONCORD_PII_KEY must encode exactly 32 bytes")
    return key


def _derive(info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(_master_key())


@functools.lru_cache(maxsize=1)
def _keys() -> tuple[AESGCM, bytes]:
    return AESGCM(_derive(b"concord-pii-encryption")), _derive(b"concord-pii-blind-index")


@functools.lru_cache(maxsize=1)
def file_cipher() -> AESGCM:
    """The cipher of files kept at rest (``core.sealed``): its own sub-key of the PII master key."""
    return AESGCM(_derive(b"concord-file-encryption"))


def reset_keys() -> None:
    """Forget cached keys (tests that switch keys call this)."""
    _keys.cache_clear()
    file_cipher.cache_clear()


def encrypt(plaintext: str) -> str:
    aead, _ = _keys()
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, plaintext.encode("utf-8"), None)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise ValueError("not a Concord PII ciphertext")
    raw = base64.urlsafe_b64decode(token[len(PREFIX):])
    aead, _ = _keys()
    return aead.decrypt(raw[:12], raw[12:], None).decode("utf-8")


def blind_index(kind: str, normalized: str) -> str:
    """Keyed HMAC of a normalised value; equal values give equal indexes, nothing else leaks."""
    _, index_key = _keys()
    digest = hmac.digest(index_key, f"{kind}:{normalized}".encode(), "sha256")
    return _base32(digest[:20])


_B32_PAIRS = [a + b for a in "abcdefghijklmnopqrstuvwxyz234567" for b in "abcdefghijklmnopqrstuvwxyz234567"]


def _base32(data: bytes) -> str:
    """Lower-case RFC 4648 base32 of 20 bytes (32 characters, no padding), as ``base64.b32encode`` writes it; ten
    bits at a time, which is several times faster than the library's loop over five-byte groups."""
    number = int.from_bytes(data, "big")
    return "".join([_B32_PAIRS[(number >> shift) & 0x3FF] for shift in range(150, -1, -10)])
