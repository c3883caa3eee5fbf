"""``field__any_of=[…]``: membership in a long list of values without a placeholder per value.

Batch services look up a chunk's rows by a few thousand keys at once (blind indexes, references, ids). ``__in``
writes ``IN (%s, %s, …)`` with one placeholder per value, and the PostgreSQL driver then splits that query text in
Python on every call (it is too long to be cached). ``__any_of`` means the same, but on PostgreSQL it sends
``= ANY(%s::type[])`` with the whole list as one array parameter; elsewhere it is ``IN (…)``. ``None`` is ignored
and an empty list matches nothing, as with ``__in``. Registered on every field and on foreign keys.
"""
from __future__ import annotations

from django.db import models
from django.db.models.fields.related import ForeignObject
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


class _AsArrayOnPostgreSQL:
    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        _placeholders, values = self.process_rhs(compiler, connection)  # without None; an empty list matches nothing
        array_of = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{array_of}[])", [*lhs_params, list(values)]


@models.Field.register_lookup
class AnyOf(_AsArrayOnPostgreSQL, In):
    pass


@ForeignObject.register_lookup
class RelatedAnyOf(_AsArrayOnPostgreSQL, RelatedIn):
    pass
