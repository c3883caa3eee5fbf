"""Helpers every app's services share: validate before writing, describe what changed."""
from __future__ import annotations

from django.core.exceptions import ValidationError

from .fields import BlindIndexField


def validate(obj, *, exclude=None) -> None:
    """Run the model's full validation (fields, clean(), unique and constraints); raise ValidationError
    naming each bad field. Blind indexes are computed first so uniqueness on them is checked."""
    errors: dict = {}
    loaded = set(exclude or ())
    for field in obj._meta.concrete_fields:
        if isinstance(field, BlindIndexField):
            field.pre_save(obj, add=obj._state.adding)
        elif field.is_relation and field.is_cached(obj):
            loaded.add(field.name)  # the service holds the related row: no need to query that it exists
    # full_clean(), but without re-querying related rows the service already loaded
    for step in (lambda: obj.clean_fields(exclude=loaded), obj.clean,
                 lambda: obj.validate_unique(exclude=exclude), lambda: obj.validate_constraints(exclude=exclude)):
        try:
            step()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def save_validated(obj, *, exclude=None):
    validate(obj, exclude=exclude)
    obj.save()
    return obj


def snapshot(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


def changed(before: dict, after: dict) -> dict:
    """Changed fields as {field: [old, new]} (values as strings for the audit log)."""
    return {k: [_plain(before[k]), _plain(after[k])] for k in after if before.get(k) != after[k]}


def _plain(value):
    if value is None or isinstance(value, (bool, int)):
        return value
    return str(value)


def require(condition: bool, field: str, message) -> None:
    if not condition:
        raise ValidationError({field: [message]})
