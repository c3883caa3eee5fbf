"""Settings for ``benchmarks/web.py``'s production server: the project's settings plus the workbench clock from
the environment (so the gate's calling hours do not depend on when the benchmark runs)."""
import os

from concord.settings import *  # noqa: F401,F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
CONCORD_CLOCK = os.environ.get("CONCORD_CLOCK", "")
