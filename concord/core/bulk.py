"""Fast bulk writes for batch services (imports): many rows in few statements, without the ORM's per-value cost.

Django's ``bulk_create``/``bulk_update`` compile SQL and adapt every value through the full expression machinery
(``bulk_update`` builds a ``CASE WHEN`` per field); for hundreds of thousands of rows that is most of an import's
time. These helpers prepare each value once (blind indexes and ``auto_now`` computed, ``get_db_prep_save`` only where
a field changes the value, e.g. encryption, JSON, aware datetimes) and send:

- :func:`insert_rows`: rows given as plain dicts (field → value), without model instances; returns the new ids
  (PostgreSQL: ids from the sequence, then ``COPY``; SQLite: one prepared INSERT through ``executemany``). A
  :class:`BlindIndexes` shared with the caller's lookups computes each blind index once;
- :func:`update`: the named fields of model instances, one parameterised ``UPDATE … WHERE id = %s`` through
  ``executemany`` (PostgreSQL: one ``UPDATE … FROM (VALUES …)`` per batch of rows).

They do not validate: callers (services) validate first, as everywhere in Concord; :func:`check_rows` gives a caller
that builds the rows itself the field checks ``full_clean()`` would make.
"""
from __future__ import annotations

from decimal import Decimal
from operator import itemgetter
from typing import Iterable

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

from concord.core import clock

from .fields import BlindIndexField

# Field types whose Python value the database driver takes as it is (Django registers Decimal/date adapters for
# SQLite; psycopg adapts them natively). Exact types only: subclasses such as the encrypted field transform values.
_PLAIN = {models.CharField, models.SlugField, models.TextField, models.IntegerField, models.SmallIntegerField,
          models.BigIntegerField, models.PositiveIntegerField, models.PositiveSmallIntegerField,
          models.PositiveBigIntegerField, models.BooleanField, models.DecimalField, models.DateField,
          models.ForeignKey}
_MAX_PARAMS_POSTGRESQL = 60_000


def _columns(model, names: Iterable[str]):
    wanted = set(names)
    return [(f, "plain" if type(f) in _PLAIN and not getattr(f, "auto_now", False)
             and not getattr(f, "auto_now_add", False) else "prep")
            for f in model._meta.concrete_fields if f.name in wanted or f.attname in wanted]


def _values(obj, plan) -> list:
    out = []
    db = connections[DEFAULT_DB_ALIAS]
    for field, how in plan:
        if how == "plain":
            out.append(getattr(obj, field.attname))
        else:
            out.append(field.get_db_prep_save(field.pre_save(obj, False), db))
    return out


def insert_rows(model: type[models.Model], rows: list[dict], *, indexes: BlindIndexes | None = None,
                keep_stamps: bool = False) -> list[int]:
    """INSERT rows given as plain dicts (field attname → the Python value the model would take, e.g. ``debtor_id``;
    a field left out takes its default) without building model instances; returns the new ids in row order.

    Values are prepared as a save would prepare them: a blind index is computed from its source value
    (or taken from the row when the caller computed it already, through the same :class:`BlindIndexes`), encrypted
    fields are encrypted, ``auto_now``/``auto_now_add`` fields get the time of this call — unless ``keep_stamps``:
    then a row that gives such a field a value keeps it (history written after the fact: the demo's past days)."""
    if not rows:
        return []
    indexes = indexes if indexes is not None else BlindIndexes()
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: the proxy looks it up again on every use
    fields, defaults, stamped, special = [], {}, {}, []  # special: (name, how, arg) for values computed per row
    now = None
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        fields.append(field)
        name = field.attname
        if isinstance(field, BlindIndexField):
            special.append((name, "blind", (field, field.source)))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            if now is None:
                now = clock.now()
            if keep_stamps and name in rows[0]:
                special.append((name, "stamp", (field, field.get_db_prep_save(now, db))))
            else:
                stamped[name] = field.get_db_prep_save(now, db)  # the time of this call, whatever the row says
        elif type(field) in _PLAIN:
            if field.has_default() and callable(field.default):
                special.append((name, "call", field.get_default))
            else:
                defaults[name] = field.get_default()
        else:
            special.append((name, "prep", field))
    names = [f.attname for f in fields]
    unknown = set(rows[0]) - set(names)
    if unknown:  # e.g. "debtor" for "debtor_id": it would be dropped silently
        raise ValueError(f"{model.__name__} has no column for {sorted(unknown)}")
    values_of = itemgetter(*names) if len(names) > 1 else (lambda full: (full[names[0]],))
    params: list = []
    missing = object()
    for row in rows:
        full = {**defaults, **row, **stamped}
        for name, how, arg in special:
            value = row.get(name, missing)
            if how == "blind":
                full[name] = indexes.compute(arg[0], row.get(arg[1])) if value is missing else value
            elif how == "call":
                full[name] = arg() if value is missing else value
            elif how == "stamp":
                full[name] = arg[1] if value is missing or value is None else arg[0].get_db_prep_save(value, db)
            else:  # prep
                full[name] = arg.get_db_prep_save(arg.get_default() if value is missing else value, db)
        params.append(values_of(full))
    return _write(model, fields, params)


class BlindIndexes:
    """Blind indexes computed once per (field, value): a caller that looks rows up by index and then inserts them
    shares one instance with :func:`insert_rows` (keep it for a chunk: it holds the values it has seen)."""

    def __init__(self):
        self._seen: dict = {}

    def compute(self, field: BlindIndexField, raw) -> str:
        key = (field.kind or field.source, field.normalizer, raw)
        value = self._seen.get(key)
        if value is None:
            value = self._seen[key] = field.compute(raw)
        return value

    def of(self, model: type[models.Model], name: str, raw) -> str:
        return self.compute(model._meta.get_field(name), raw)


def _write(model, fields, params: list) -> list[int]:
    """INSERT prepared rows (one sequence of values per row, in the order of ``fields``); returns the new ids."""
    if connection.vendor == "postgresql":
        return _copy(model, fields, params)
    if connection.vendor == "sqlite":
        return _executemany_sqlite(model, fields, params)
    raise NotImplementedError(f"bulk writes support PostgreSQL and SQLite, not {connection.vendor}")


def _executemany_sqlite(model, fields, params: list) -> list[int]:
    """SQLite: one prepared INSERT run for every row by the driver (no SQL text per batch, no placeholder
    rewriting). The rows get consecutive ids ending at ``last_insert_rowid()``: the transaction holds SQLite's write
    lock, and a new rowid is always one more than the largest (``AUTOINCREMENT`` included)."""
    qn = connection.ops.quote_name
    cols = ", ".join(qn(f.column) for f in fields)
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({cols}) VALUES ({', '.join(['?'] * len(fields))})"
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(sql, params)
        (last,), = cursor.execute("SELECT last_insert_rowid()").fetchall()
    finally:
        cursor.close()
    return list(range(last - len(params) + 1, last + 1))


def _copy(model, fields, params: list[list]) -> list[int]:
    qn = connection.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk.column
    cols = ", ".join(qn(c) for c in [pk, *(f.column for f in fields)])
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [table, pk, len(params)])
        ids = [row[0] for row in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
            for values, new_id in zip(params, ids):
                copy.write_row([new_id, *values])
    return ids


def update(model: type[models.Model], objs: list[models.Model], fields: Iterable[str]) -> None:
    """UPDATE the named fields of the instances, one parameterised statement executed for all of them."""
    if not objs:
        return
    plan = _columns(model, fields)
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        _update_from_values(model, objs, plan)
        return
    sets = ", ".join(f"{qn(f.column)} = %s" for f, _how in plan)
    sql = f"UPDATE {qn(model._meta.db_table)} SET {sets} WHERE {qn(model._meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[*_values(obj, plan), obj.pk] for obj in objs])


def _update_from_values(model, objs: list[models.Model], plan) -> None:
    """PostgreSQL: ``UPDATE … FROM (VALUES …)``, one statement per batch of rows instead of one per row. Each value
    is cast to its column's type; an instance given twice is written with its last values (as one UPDATE per row
    would leave it)."""
    qn = connection.ops.quote_name
    pk_field = model._meta.pk
    fields = [pk_field, *(f for f, _how in plan)]
    names = [f"c{i}" for i in range(len(fields))]
    one = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in fields) + ")"
    sets = ", ".join(f"{qn(f.column)} = v.{name}" for f, name in zip(fields[1:], names[1:]))
    table = qn(model._meta.db_table)
    rows = {obj.pk: [obj.pk, *_values(obj, plan)] for obj in objs}
    params = list(rows.values())
    per_stmt = max(1, _MAX_PARAMS_POSTGRESQL // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(params), per_stmt):
            part = params[start:start + per_stmt]
            cursor.execute(f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([one] * len(part))}) "
                           f"AS v({', '.join(names)}) WHERE {table}.{qn(pk_field.column)} = v.{names[0]}",
                           [v for values in part for v in values])


def check_rows(model: type[models.Model], rows: list[dict]) -> None:
    """Check plain rows (field attname → value, as :func:`insert_rows` takes them) the way ``Model.clean_fields()``
    checks an instance: null and blank, choices, and each field's validators (``max_length``, ``MinValueValidator``,
    the digits of a ``DecimalField``, integer ranges …) — without building instances or querying. JSON fields (built
    by the caller's code, not typed in) are not checked. Foreign keys and uniqueness stay with the caller (ids it has
    just inserted, keys it generated) and the database's constraints.
    Raises ``ValidationError({field: ["row N: …"]})`` for the first bad value; each distinct value of a field is
    checked once."""
    if not rows:
        return
    from django.core.exceptions import ValidationError

    plans = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.is_relation or isinstance(f, (BlindIndexField, models.JSONField)):
            continue  # JSON values are built by the code that writes them, not typed in
        choices = {value for value, _label in f.flatchoices} if f.choices else None
        plans.append((f.attname, f, choices, list(f.validators), set()))
    for number, row in enumerate(rows, 1):
        for name, f, choices, validators, seen in plans:
            value = row.get(name, _MISSING)
            if value is _MISSING:
                continue
            if value is None:
                if f.null:
                    continue
                _refuse(model, number, name, f.error_messages["null"], "null")
            if not validators and choices is None and (f.blank or value not in f.empty_values):
                continue  # nothing else to check (dates, times, booleans …)
            key = str(value) if isinstance(value, Decimal) else value  # 1.0 and 1.00 differ in digits
            if key in seen:
                continue
            if value in f.empty_values:
                if not f.blank:
                    _refuse(model, number, name, f.error_messages["blank"], "blank")
            elif choices is not None and value not in choices:
                _refuse(model, number, name, f.error_messages["invalid_choice"] % {"value": value}, "invalid_choice")
            else:
                try:
                    for validator in validators:
                        validator(value)
                except ValidationError as exc:
                    raise ValidationError({name: [f"{model.__name__} row {number}: {m}" for m in exc.messages]})
            seen.add(key)


_MISSING = object()


def _refuse(model, number: int, name: str, message, code: str):
    from django.core.exceptions import ValidationError

    raise ValidationError({name: [f"{model.__name__} row {number}: {message}"]}, code=code)
