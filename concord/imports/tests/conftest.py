"""Fixtures for the import tests: every test keeps its batches' files under its own tmp_path."""
import pytest


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.CONCORD_IMPORT_DIR = tmp_path / "imports"
