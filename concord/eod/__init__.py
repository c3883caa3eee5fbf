"""The end-of-day run (日终): a columnar batch in Ibis over DuckDB or PySpark. The engine modules (``schema``,
``validate``, ``rules``, ``backend``, ``engine``, ``synth``) import no Django; see ``docs/eod.md``."""
