"""Imports of creditor files: placements (委案), payments, updates.

This package is, for now, the pure reading-and-parsing layer (no database):

- :mod:`concord.imports.readers` opens CSV (UTF-8, UTF-8 BOM, GBK/GB18030, UTF-16; any common delimiter) and
  XLSX files, finds the header row and streams :class:`~concord.imports.readers.RawRow` objects;
- :mod:`concord.imports.mapping` maps column headers (Chinese or English) to Concord field names;
- :mod:`concord.imports.values` parses single cell values (amounts, dates, rates, enums, IDs, phones);
- :mod:`concord.imports.rows` turns a raw row into a typed ``PlacementRecord`` or a list of field errors.

A later layer feeds the records to the domain services (the only writers).
"""
