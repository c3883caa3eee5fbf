"""The test suite's settings (pyproject: pytest's DJANGO_SETTINGS_MODULE): ``concord.settings`` with the development
keys (the fixtures set their own test keys) and two-factor sign-in off unless a test turns it on
(``settings.CONCORD_TWO_FACTOR = "required"``: the two-factor tests do). Processes the tests start inherit both."""
import os

os.environ.setdefault("CONCORD_DEV_KEYS", "1")
os.environ.setdefault("CONCORD_TWO_FACTOR", "off")

from concord.settings import *  # noqa: E402,F401,F403
