"""Production settings: ``DJANGO_SETTINGS_MODULE=concord.settings_production`` (docs/operator-guide.md, "Security").

Everything of ``concord.settings``, and: the keys are required (no development keys, DEBUG off), HTTPS only (HSTS,
secure cookies, redirect), two-factor sign-in required for the roles that need it, and the login limits and API
throttles in a cache shared by every worker (Redis, ``CONCORD_REDIS_URL``, default redis://127.0.0.1:6379/0).
``concord check --deploy`` is clean with these settings.
"""
import os

from django.core.exceptions import ImproperlyConfigured

os.environ.pop("CONCORD_DEV_KEYS", None)  # never development keys here, whatever the environment says
if os.environ.get("CONCORD_DEBUG", "0") == "1":
    raise ImproperlyConfigured("concord.settings_production runs with DEBUG off: unset CONCORD_DEBUG")

from concord.settings import *  # noqa: E402,F401,F403  (the base refuses to start without the keys)
from concord.settings import CONCORD_NUM_PROXIES  # noqa: E402

if CONCORD_TWO_FACTOR != "required":  # noqa: F405
    raise ImproperlyConfigured("two-factor sign-in cannot be turned off in production (CONCORD_TWO_FACTOR)")
if not os.environ.get("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("set ALLOWED_HOSTS to the host names Concord is served under")

DEBUG = False
DEV_KEYS = False

# HTTPS only
SECURE_SSL_REDIRECT = os.environ.get("CONCORD_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = int(os.environ.get("CONCORD_HSTS_SECONDS", 31_536_000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if CONCORD_NUM_PROXIES:  # the proxy terminates TLS and says so
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# one cache for every worker: the login limits (axes) and the API throttles hold across processes
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                      "LOCATION": os.environ.get("CONCORD_REDIS_URL", "redis://127.0.0.1:6379/0")}}
AXES_HANDLER = os.environ.get("CONCORD_AXES_HANDLER", "axes.handlers.cache.AxesCacheHandler")
