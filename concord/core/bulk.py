"""Fast bulk writes for batch services (imports): many rows in few statements, without the ORM's per-value cost.

Django's ``bulk_create``/``bulk_update`` compile SQL and adapt every value through the full expression machinery
(``bulk_update`` builds a ``CASE WHEN`` per field); for hundreds of thousands of rows that is most of an import's
time. These helpers take model instances, prepare each value once (``pre_save`` for fields that compute their value —
blind indexes, ``auto_now`` — and ``get_db_prep_save`` only where a field changes the value, e.g. encryption, JSON,
aware datetimes) and send:

- :func:`insert`: multi-row ``INSERT … VALUES (…), (…) RETURNING id`` (PostgreSQL: ids from the sequence, then
  ``COPY``), filling each instance's primary key;
- :func:`update`: one parameterised ``UPDATE … WHERE id = %s`` through ``executemany``.

They do not validate: callers (services) validate first, as everywhere in Concord.
"""
from __future__ import annotations

from typing import Iterable

from django.db import connection, models

# Field types whose Python value the database driver takes as it is (Django registers Decimal/date adapters for
# SQLite; psycopg adapts them natively). Exact types only: subclasses such as the encrypted field transform values.
_PLAIN = {models.CharField, models.SlugField, models.TextField, models.IntegerField, models.SmallIntegerField,
          models.BigIntegerField, models.PositiveIntegerField, models.PositiveSmallIntegerField,
          models.PositiveBigIntegerField, models.BooleanField, models.DecimalField, models.DateField,
          models.ForeignKey}
_MAX_PARAMS = {"sqlite": 999, "postgresql": 60_000}


def _columns(model, add: bool, names: Iterable[str] | None = None):
    fields = [f for f in model._meta.concrete_fields if not (add and f.primary_key)]
    if names is not None:
        wanted = set(names)
        fields = [f for f in fields if f.name in wanted or f.attname in wanted]
    return [(f, "plain" if type(f) in _PLAIN and not getattr(f, "auto_now", False)
             and not getattr(f, "auto_now_add", False) else "prep") for f in fields]


def _values(obj, plan, add: bool) -> list:
    out = []
    for field, how in plan:
        if how == "plain":
            out.append(getattr(obj, field.attname))
        else:
            out.append(field.get_db_prep_save(field.pre_save(obj, add), connection))
    return out


def insert(model: type[models.Model], objs: list[models.Model]) -> None:
    """INSERT the instances (their primary key must be unset) and set ``pk`` on each, in few statements.
    On PostgreSQL: the ids are drawn from the table's sequence in one query and the rows sent with ``COPY``."""
    if not objs:
        return
    plan = _columns(model, add=True)
    table, qn = model._meta.db_table, connection.ops.quote_name
    if connection.vendor == "postgresql":
        _copy(model, objs, plan)
        return
    cols = ", ".join(qn(f.column) for f, _how in plan)
    per_row = max(1, _MAX_PARAMS.get(connection.vendor, 999) // max(len(plan), 1))
    one = "(" + ", ".join(["%s"] * len(plan)) + ")"
    pk = qn(model._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_row):
            part = objs[start:start + per_row]
            params = [v for obj in part for v in _values(obj, plan, True)]
            cursor.execute(f"INSERT INTO {qn(table)} ({cols}) VALUES {', '.join([one] * len(part))} RETURNING {pk}",
                           params)
            for obj, (new_id,) in zip(part, cursor.fetchall()):
                obj.pk = new_id
                obj._state.adding, obj._state.db = False, connection.alias


def _copy(model, objs: list[models.Model], plan) -> None:
    qn = connection.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk.column
    cols = ", ".join(qn(c) for c in [pk, *(f.column for f, _how in plan)])
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [table, pk, len(objs)])
        ids = [row[0] for row in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
            for obj, new_id in zip(objs, ids):
                copy.write_row([new_id, *_values(obj, plan, True)])
    for obj, new_id in zip(objs, ids):
        obj.pk = new_id
        obj._state.adding, obj._state.db = False, connection.alias


def update(model: type[models.Model], objs: list[models.Model], fields: Iterable[str]) -> None:
    """UPDATE the named fields of the instances, one parameterised statement executed for all of them."""
    if not objs:
        return
    plan = _columns(model, add=False, names=fields)
    qn = connection.ops.quote_name
    sets = ", ".join(f"{qn(f.column)} = %s" for f, _how in plan)
    sql = f"UPDATE {qn(model._meta.db_table)} SET {sets} WHERE {qn(model._meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[*_values(obj, plan, False), obj.pk] for obj in objs])
