"""Django settings for Concord, configured from the environment (production: ``concord.settings_production``).

DATABASE_URL   sqlite:///path or postgres://user@host:port/db (default: SQLite file concord.sqlite3)
SECRET_KEY     Django secret
CONCORD_PII_KEY  base64 32-byte key for PII encryption and blind indexes (see docs/operator-guide.md)
CONCORD_AUDIT_KEY  the audit trail's HMAC key (``concord audit genkey``); old ones in CONCORD_AUDIT_KEYRING
CONCORD_DEBUG  "1" for debug mode
CONCORD_DEV_KEYS  "1": development keys (a fixed SECRET_KEY, key files in the data directory) with DEBUG off — the
               demo and the tests; without it Concord refuses to start with DEBUG off and a key missing
"""
from pathlib import Path
import datetime as dt
import json
import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
DATA_DIR = Path(os.environ.get("CONCORD_DATA_DIR", PROJECT_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("CONCORD_DEBUG", "0") == "1"
DEV_KEYS = os.environ.get("CONCORD_DEV_KEYS", "0") == "1"
REQUIRED_KEYS = ("SECRET_KEY", "CONCORD_PII_KEY", "CONCORD_AUDIT_KEY")
_missing_keys = [name for name in REQUIRED_KEYS if not os.environ.get(name, "").strip()]
if _missing_keys and not (DEBUG or DEV_KEYS):
    raise ImproperlyConfigured(
        f"Concord refuses to start with DEBUG off and {', '.join(_missing_keys)} unset: set them (see the operator "
        "guide, 'Security'), or CONCORD_DEV_KEYS=1 for development keys (never in production)")
SECRET_KEY = os.environ.get("SECRET_KEY") or "concord-dev-only-secret-key-change-me-in-production"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",  # only for the migration that moved its plain-text tokens to staff.ApiToken
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "concord.core",
    "concord.staff",
    "concord.creditors",
    "concord.debtors",
    "concord.loans",
    "concord.cases",
    "concord.workbench",
    "concord.compliance",
    "concord.imports",
    "concord.reports",
    "concord.demo",
    "concord.retention",
    "concord.eod",
    "concord.outreach",
    "concord.arrangements",
    "concord.visits",
    "concord.legal",
    "concord.portal",
    "concord.allocation",
    "concord.placements",
    "concord.statements",
    "concord.operations",
    "concord.strategy",
    "concord.telephony",
    "concord.quality",
    "concord.scoring",  # after reports: its end-of-day follower reads the day the reports' follower keeps
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "concord.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "concord.core.middleware.RequestContextMiddleware",
    "concord.staff.security.IdleTimeoutMiddleware",
    "concord.staff.twofactor.TwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "concord.urls"
WSGI_APPLICATION = "concord.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["concord.core.templatetags.concord_format"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "concord.menu.menu",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'concord.sqlite3'}",
        conn_max_age=60,
    )
}
# IMMEDIATE: a transaction takes the write lock when it begins, so concurrent writers queue on the busy timeout
# (seconds) instead of failing with "database is locked" when a reader tries to become a writer mid-transaction.
SQLITE_OPTIONS = {"timeout": int(os.environ.get("CONCORD_SQLITE_BUSY_TIMEOUT", 30)), "transaction_mode": "IMMEDIATE",
                  "init_command": "PRAGMA journal_mode=WAL; PRAGMA cache_size=-65536"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL: readers do not wait for a writer (the web UI stays responsive during an import or the end-of-day run);
    # a 64 MB page cache keeps the indexes of a large book in memory (the default, 2 MB, makes every insert into a
    # randomly keyed index — the blind indexes — a read from disk once the book passes ~100,000 rows).
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    DATABASES["default"].setdefault("TEST", {})["NAME"] = None  # in-memory test DB

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "staff.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: a locked-out account or address is refused before the password is checked (web, admin and API).
AUTHENTICATION_BACKENDS = ["concord.staff.security.LoginLimitBackend", "django.contrib.auth.backends.ModelBackend"]

# -- logins, sessions, two-factor (docs/operator-guide.md, "Security") -------------------------------------------
#: How many reverse proxies in front of Concord append to X-Forwarded-For; 0: the client address is REMOTE_ADDR and
#: the header is ignored (a client cannot choose its address to escape the limits).
CONCORD_NUM_PROXIES = int(os.environ.get("CONCORD_NUM_PROXIES", 0))
AXES_FAILURE_LIMIT = int(os.environ.get("CONCORD_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("CONCORD_LOGIN_LOCKOUT_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one over the limit locks: per account, per address
AXES_CLIENT_IP_CALLABLE = "concord.staff.security.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "concord.staff.security.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # successful logins are on the audit trail (auth.login), not kept twice
AXES_HANDLER = os.environ.get("CONCORD_AXES_HANDLER", "axes.handlers.database.AxesDatabaseHandler")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CONCORD_REDIS_URL"]}
          if os.environ.get("CONCORD_REDIS_URL") else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
#: A session ends after this many minutes without a request (and after SESSION_COOKIE_AGE in any case).
CONCORD_SESSION_IDLE_MINUTES = int(os.environ.get("CONCORD_SESSION_IDLE_MINUTES", 30))
SESSION_COOKIE_AGE = int(os.environ.get("CONCORD_SESSION_MAX_HOURS", 12)) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
#: "required": roles with the REQUIRE_TWO_FACTOR capability (staff/roles.py) must sign in with a TOTP code;
#: "off": nobody is asked (the demo and the tests say so; the production settings refuse it).
CONCORD_TWO_FACTOR = os.environ.get("CONCORD_TWO_FACTOR", "required")
OTP_TOTP_ISSUER = "Concord"
#: API tokens expire after this many days (and are revoked on a password change or deactivation).
CONCORD_API_TOKEN_DAYS = int(os.environ.get("CONCORD_API_TOKEN_DAYS", 30))

#: Content-Security-Policy (django-csp): scripts, styles, images and forms only from Concord itself, no inline
#: scripts or styles, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
FORMAT_MODULE_PATH = ["concord.formats"]  # counts grouped by thousands in Chinese too (concord/formats/zh_Hans)
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from the finders; the folder only has to exist
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "concord.staff.tokens.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "concord.core.api.exception_handler",
    "NUM_PROXIES": CONCORD_NUM_PROXIES,  # throttles key on the same client address as the login limits
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Concord API",
    "DESCRIPTION": "Debt-collection management: cases, debtors (masked), accounts and payments.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "concord.core.api.document_common_errors"],
}

# Parallel audit chains: writers append to different chains instead of queueing on one head (core/audit.py).
CONCORD_AUDIT_CHAINS = int(os.environ.get("CONCORD_AUDIT_CHAINS", 16))
CONCORD_PII_KEY = os.environ.get("CONCORD_PII_KEY", "")
CONCORD_PII_KEY_FILE = DATA_DIR / "pii.key"
# The audit trail's HMAC key (core/audit.py), kept outside the database; old keys after a rotation, comma-separated.
CONCORD_AUDIT_KEY = os.environ.get("CONCORD_AUDIT_KEY", "")
CONCORD_AUDIT_KEY_FILE = DATA_DIR / "audit.key"
CONCORD_AUDIT_KEYRING = [k for k in os.environ.get("CONCORD_AUDIT_KEYRING", "").split(",") if k.strip()]
# The daily history of the end-of-day runs (date-partitioned Parquet; docs/reports.md)
CONCORD_HISTORY_DIR = Path(os.environ.get("CONCORD_HISTORY_DIR", DATA_DIR / "history"))
CONCORD_IMPORT_DIR = Path(os.environ.get("CONCORD_IMPORT_DIR", DATA_DIR / "imports"))
# Background work: Django's tasks API (the django-tasks backport) on its database backend; ``concord worker`` runs it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CONCORD_JOBS_INLINE = os.environ.get("CONCORD_JOBS_INLINE", "0") == "1"  # run jobs in the caller (tests)
CONCORD_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("CONCORD_WORKER_HEARTBEAT_SECONDS", 10))
CONCORD_WORKER_STALE_SECONDS = float(os.environ.get("CONCORD_WORKER_STALE_SECONDS", 90))
CONCORD_CLOCK = os.environ.get("CONCORD_CLOCK", "")  # an ISO instant with offset: the clock stands there
CONCORD_IMPORTS_CHUNK_ROWS = int(os.environ.get("CONCORD_IMPORTS_CHUNK_ROWS", 0))  # rows per chunk (0: 2,000)
# the largest file accepted by an upload (web page and API), in MB; `concord import` on the server has no limit
CONCORD_IMPORT_MAX_MB = int(os.environ.get("CONCORD_IMPORT_MAX_MB", 200))
CONCORD_IMPORTS_INLINE = os.environ.get("CONCORD_IMPORTS_INLINE", "0") == "1"  # run uploads in the request
# files at least this long are parsed in a second process while the first one writes (0: never)
CONCORD_IMPORTS_PARSER_PROCESS_BYTES = int(os.environ.get("CONCORD_IMPORTS_PARSER_PROCESS_BYTES", 4_000_000))

# The borrower's self-service portal (/p/): see docs/operator-guide.md for the payment providers' keys.
CONCORD_PORTAL_BASE_URL = os.environ.get("CONCORD_PORTAL_BASE_URL", "")  # e.g. https://pay.example.cn (links, notify)
CONCORD_PORTAL_PROVIDERS = os.environ.get("CONCORD_PORTAL_PROVIDERS", "sandbox")  # alipay,wechat,sandbox
CONCORD_PORTAL_LINK_DAYS = int(os.environ.get("CONCORD_PORTAL_LINK_DAYS", 7))
CONCORD_PORTAL_IDLE_MINUTES = int(os.environ.get("CONCORD_PORTAL_IDLE_MINUTES", 15))
CONCORD_PORTAL_KEY_DIR = os.environ.get("CONCORD_PORTAL_KEY_DIR", "")  # default DATA_DIR/portal-keys
CONCORD_PORTAL_SECURE_COOKIE = os.environ.get("CONCORD_PORTAL_SECURE_COOKIE", "0") == "1"  # 1 behind a TLS proxy

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CONCORD_LOG_LEVEL", "WARNING")},
}

# Telephony (docs/operator-guide.md, "Telephony"): the provider that places calls — manual (the tel: link), sip (the
# local SIP adapter) or clink (a cloud call centre) — and its options as JSON.
CONCORD_TELEPHONY_PROVIDER = os.environ.get("CONCORD_TELEPHONY_PROVIDER", "manual")
CONCORD_TELEPHONY_OPTIONS = json.loads(os.environ.get("CONCORD_TELEPHONY_OPTIONS", "{}") or "{}")
CONCORD_TELEPHONY_RECONCILE_SECONDS = int(os.environ.get("CONCORD_TELEPHONY_RECONCILE_SECONDS", "300"))
CONCORD_DIAL_PERMIT_SECONDS = int(os.environ.get("CONCORD_DIAL_PERMIT_SECONDS", "120"))
CONCORD_DIALING_MODE = os.environ.get("CONCORD_DIALING_MODE", "power")        # power | predictive
CONCORD_PREDICTIVE_MAX_RATIO = float(os.environ.get("CONCORD_PREDICTIVE_MAX_RATIO", "2.0"))
CONCORD_ABANDON_TARGET = float(os.environ.get("CONCORD_ABANDON_TARGET", "0.03"))
CONCORD_PREDICTIVE_MIN_SAMPLE = int(os.environ.get("CONCORD_PREDICTIVE_MIN_SAMPLE", "20"))
# The speech-to-text client for the calls' quality checks (dotted path of a concord.telephony.quality.Transcriber).
CONCORD_TRANSCRIBER = os.environ.get("CONCORD_TRANSCRIBER", "")
