import pytest


@pytest.fixture(autouse=True)
def _default_strategy(request):
    """The default strategy the migration writes (a transactional test earlier in the run may have flushed it)."""
    if "world" in request.fixturenames:
        request.getfixturevalue("world")
        from concord.strategy import services

        services.ensure_default()
