"""Model fields for PII: transparently encrypted text and a blind index computed from it."""
from __future__ import annotations

from typing import Callable

from django.db import models

from . import pii


class EncryptedTextField(models.TextField):
    """Stores AES-GCM ciphertext; Python code sees plaintext."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return pii.decrypt(value)

    def to_python(self, value):
        if isinstance(value, str) and value.startswith(pii.PREFIX):
            return pii.decrypt(value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return pii.encrypt(str(value))


class BlindIndexField(models.CharField):
    """A keyed hash of another field's normalised value, kept in step on every save or bulk insert."""

    def __init__(self, *args, source: str = "", kind: str = "", normalizer: Callable[[str], str] | None = None, **kwargs):
        self.source, self.kind, self.normalizer = source, kind, normalizer
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"], kwargs["kind"] = self.source, self.kind
        for key in ("max_length", "db_index", "editable", "blank"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def compute(self, raw: str | None) -> str:
        if not raw:
            return ""
        normalized = self.normalizer(raw) if self.normalizer else raw.strip().lower()
        return pii.blind_index(self.kind or self.source, normalized)

    def pre_save(self, model_instance, add):
        value = self.compute(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
