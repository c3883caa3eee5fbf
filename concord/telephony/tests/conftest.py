import pytest

from concord.workbench.tests.conftest import clock_at, crew, qualify  # noqa: F401 — shared fixtures

from .fakes import install


@pytest.fixture
def switch(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.CONCORD_JOBS_INLINE = True
    return install(settings)
