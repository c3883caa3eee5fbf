"""Django settings for Concord, configured from the environment.

DATABASE_URL   sqlite:///path or postgres://user@host:port/db (default: SQLite file concord.sqlite3)
SECRET_KEY     Django secret (a development default is used when unset and DEBUG is on)
CONCORD_PII_KEY  base64 32-byte key for PII encryption and blind indexes (see docs/operator-guide.md)
CONCORD_DEBUG  "1" for debug mode
"""
from pathlib import Path
import os

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
DATA_DIR = Path(os.environ.get("CONCORD_DATA_DIR", PROJECT_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("CONCORD_DEBUG", "0") == "1"
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
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
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
    "concord.eod",
    "concord.outreach",
    "concord.arrangements",
    "concord.visits",
    "concord.legal",
    "concord.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "concord.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "concord.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "concord.urls"
WSGI_APPLICATION = "concord.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
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
SQLITE_OPTIONS = {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL; PRAGMA cache_size=-65536"}
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
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
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
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "concord.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Concord API",
    "DESCRIPTION": "Debt-collection management: cases, debtors (masked), accounts and payments.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Parallel audit chains: writers append to different chains instead of queueing on one head (core/audit.py).
CONCORD_AUDIT_CHAINS = int(os.environ.get("CONCORD_AUDIT_CHAINS", 16))
CONCORD_PII_KEY = os.environ.get("CONCORD_PII_KEY", "")
CONCORD_PII_KEY_FILE = DATA_DIR / "pii.key"
CONCORD_IMPORT_DIR = Path(os.environ.get("CONCORD_IMPORT_DIR", DATA_DIR / "imports"))
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
