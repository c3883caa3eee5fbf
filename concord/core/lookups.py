"""``field__any_of=[…]``: membership in a long list of values without a placeholder per value.

Batch services look up a chunk's rows by a few thousand keys at once (blind indexes, references, ids). ``__in``
writes ``IN (%s, %s, …)`` with one placeholder per value, and the PostgreSQL driver then splits that query text in
Python on every call (it is too long to be cached). ``__any_of`` means the same, but on PostgreSQL it sends
``= ANY(%s::type[])`` with the whole list as one array parameter; elsewhere it is ``IN (…)``. ``None`` is ignored
and an empty list matches nothing, as with ``__in``. Values that are already what the column holds (text for text,
integers for integers and foreign keys) skip Django's preparation of each value. Registered on every field and on
foreign keys.
"""
from __future__ import annotations

from django.db import models
from django.db.models.fields.related import ForeignObject
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


_TEXT_TYPES = {"CharField", "TextField", "SlugField"}
_INTEGER_TYPES = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
                  "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField"}


class _AsArrayOnPostgreSQL:
    lookup_name = "any_of"

    def _plain_values(self) -> bool:
        """True when every value is already what the column holds (text for a text column, int for an integer
        column or a foreign key to one): then no value needs Django's per-value preparation."""
        if not self.rhs_is_direct_value():
            return False
        field = self.lhs.output_field
        target = field.target_field if field.is_relation else field
        kind = target.get_internal_type()
        plain = str if kind in _TEXT_TYPES else int if kind in _INTEGER_TYPES else None
        return plain is not None and all(type(value) is plain for value in self.rhs)

    def get_prep_lookup(self):
        if self._plain_values():
            return list(self.rhs)
        return super().get_prep_lookup()

    def batch_process_rhs(self, compiler, connection, rhs=None):
        values = self.rhs if rhs is None else rhs
        if self._plain_values():
            values = list(values)
            return ["%s"] * len(values), values
        return super().batch_process_rhs(compiler, connection, rhs)

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
