"""The browser tests share the project's fixtures (PII key, data-migration seeds) with the unit tests."""
from concord.conftest import (  # noqa: F401  (autouse fixtures, applied here too)
    _data_seeds, _history_dir, _pii_key, _test_clock)
