"""Imports of creditor files: placements (委案), payments (还款), recalls (退案), contact repairs (信修).

Reading and checking (pure, no database):

- :mod:`concord.imports.readers` opens CSV (UTF-8, UTF-8 BOM, GBK/GB18030, UTF-16; any common delimiter) and
  XLSX files, finds the header row and streams :class:`~concord.imports.readers.RawRow` objects;
- :mod:`concord.imports.mapping` maps column headers (Chinese or English) to Concord field names;
- :mod:`concord.imports.values` parses single cell values (amounts, dates, rates, enums, IDs, phones);
- :mod:`concord.imports.rows` turns a raw placement row into a typed ``PlacementRecord`` or a list of field errors.

Writing (the services):

- :mod:`concord.imports.services` records an upload as an :class:`~concord.imports.models.ImportBatch`, runs it in
  chunks (one transaction and one audit event per chunk), keeps the issues and the error file, detects a repeated
  file, runs dry runs in a rolled-back transaction, and remembers a creditor's column mapping;
- :mod:`concord.imports.kinds` says, per kind of file, how rows are parsed and which writer lands them;
- :mod:`concord.imports.placing` lands placement rows in bulk (people, contact points, cases, accounts).

Around them: ``concord import KIND FILE --creditor CODE`` (management command), the web pages (``views``) and
``POST /api/imports/`` (``api``). Speed: ``benchmarks/imports.py``.
"""
