"""The browser tests share the project's fixtures (PII key, data-migration seeds) with the unit tests."""
from concord.conftest import _data_seeds, _pii_key  # noqa: F401  (autouse fixtures, applied here too)
