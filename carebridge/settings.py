"""One settings module, driven by environment variables.

CAREBRIDGE_ENV picks the mode: ``development`` (the default for manage.py and the tests),
``demo`` (make demo) or ``production`` (``carebridge serve`` sets it). Production refuses to
start without its secrets; the sandbox never answers there.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from carebridge.lib import deployment
from carebridge.lib.env import envbool, envint, envlist, envstr
from carebridge.wechat.credentials import credentials_from_environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("CAREBRIDGE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite database and media live here

CAREBRIDGE_ENV = envstr("CAREBRIDGE_ENV", "development")
if CAREBRIDGE_ENV not in {"development", "demo", "production"}:
    raise ImproperlyConfigured(
        f"CAREBRIDGE_ENV must be development, demo or production, not {CAREBRIDGE_ENV!r}"
    )
PRODUCTION = CAREBRIDGE_ENV == "production"
SANDBOX_ENABLED = not PRODUCTION

# Only development shows Django's debug pages: the demo runs as a deployment does, with the
# project's own error pages (a patient never sees a stack or the URL list).
DEBUG = envbool("DEBUG", default=CAREBRIDGE_ENV == "development")
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in production (CAREBRIDGE_ENV=production)"
        )
    SECRET_KEY = deployment.DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "" if PRODUCTION else "*")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Only for its templates and static files: /api/docs serves Swagger UI from the package
    # (whitenoise), not from a CDN a hospital's network may not reach.
    "ninja",
    "carebridge.outbox",
    "carebridge.institutions",
    "carebridge.content",
    "carebridge.publishing",
    "carebridge.wechat",
    "carebridge.patients",
    "carebridge.booking",
    "carebridge.integrations",
    "carebridge.results",
    "carebridge.billing",
    "carebridge.engagement",
]
if SANDBOX_ENABLED:
    INSTALLED_APPS.append("carebridge.sandbox")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "carebridge.urls"
WSGI_APPLICATION = "carebridge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "carebridge" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "carebridge.institutions.shell.h5_shell",  # H5 pages: language tag, 长辈版
            ],
        },
    },
]

# SQLite (WAL, immediate transactions so concurrent writers queue instead of failing) unless
# DATABASE_URL names another database.
DATABASE_URL = envstr("DATABASE_URL")
# "transaction" behind a pooler in transaction mode (PgBouncer before 1.21, or without
# max_prepared_statements): nothing may outlive a transaction on a server connection.
DATABASE_POOLING = envstr("DATABASE_POOLING", "")
SQLITE_OPTIONS = {
    "timeout": 30,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        # A process handed the SQLite file by URL (tests' subprocesses) queues like the others.
        DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
    # Behind such a pooler a server-side cursor (QuerySet.iterator()) may land on a server
    # connection PgBouncer has handed to another client: Django's documented remedy is to use
    # client-side cursors only. (The booking's hot statements then skip being prepared too.)
    if DATABASE_POOLING == "transaction":
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    # One test database per run, so two test runs against one server never meet.
    DATABASES["default"]["TEST"] = {
        "NAME": envstr("CAREBRIDGE_TEST_DB", f"test_carebridge_{os.getpid()}")
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "carebridge.sqlite3",
            "OPTIONS": dict(SQLITE_OPTIONS),
            # A file, not memory: tests start worker and server processes that share it. One per
            # run, so two test runs on one machine never meet.
            "TEST": {
                "NAME": envstr("CAREBRIDGE_TEST_DB", str(VAR_DIR / f"test-{os.getpid()}.sqlite3"))
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache for every process: the access token, locks and rate limits live here. The database
# cache is shared by the web server and the worker with no extra service; Redis in production.
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": envstr("CACHE_KEY_PREFIX", "carebridge"),
        },
        # Rendered fragments of patients' pages (lib/page_cache.py); on Redis, its memory policy
        # decides what goes.
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": envstr("CACHE_KEY_PREFIX", "carebridge") + ":pages",
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "carebridge_cache",
        },
        # Rendered fragments of patients' pages (lib/page_cache.py), in a table of their own:
        # the database cache culls a third of a table's entries when it is full, and a busy
        # morning's fragments must not push out the access tokens and lockouts of "default".
        "pages": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "carebridge_page_cache",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        },
    }

# Sessions (the WeChat sign-in of every H5 page, staff logins): rows in the database, read
# through the default cache when it is Redis, so a signed-in page reads its session without a
# query (bench/RESULTS.md, Report feed). A session the cache lost (evicted, Redis restarted) is
# read from its row again; sign-in (cycle_key), sign-out and logout (flush) write or drop both.
# On the database cache the cache is a table too: the row is read directly.
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Django's own backend, refusing in production the password the demo publishes.
AUTHENTICATION_BACKENDS = ["carebridge.institutions.auth.ProductionBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "carebridge.institutions.auth.DemoPasswordValidator"},  # production only
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "carebridge" / "locale"]
# Dates and times read one way per language (carebridge/formats/).
FORMAT_MODULE_PATH = "carebridge.formats"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # for `collectstatic`, optional
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Static files are served from the installed package by whitenoise: no collectstatic step.
WHITENOISE_USE_FINDERS = True
STATICFILES_DIRS = [BASE_DIR / "carebridge" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

SESSION_COOKIE_HTTPONLY = True
# Cookies go over HTTPS only when the site is served over it (SITE_URL), and in production;
# `carebridge check` refuses them off in production when SITE_URL is https.
_https_cookies = PRODUCTION or SITE_URL.startswith("https:")
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", _https_cookies)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", _https_cookies)
# HTTPS, usually terminated by a reverse proxy: `carebridge check` warns until these are decided.
# SECURE_PROXY_SSL_HEADER trusts the proxy's X-Forwarded-Proto (only behind one that sets it).
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
if envbool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Reverse proxies in front of the server that append to X-Forwarded-For (0: none, trust
# REMOTE_ADDR). Per-IP rate limits count the address the outermost of them saw.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
# WeChat's servers may be configured to call back over plain HTTP: never redirect them.
SECURE_REDIRECT_EXEMPT = [r"^wechat/[-\w]+/$"]
# The sandbox's phone simulator shows H5 pages in a frame of the same origin.
X_FRAME_OPTIONS = "DENY" if PRODUCTION else "SAMEORIGIN"

# --- WeChat ---------------------------------------------------------------------------------
# Where the WeChat API lives. Outside production it defaults to the sandbox on loopback.
WECHAT_API_BASE = envstr(
    "WECHAT_API_BASE",
    "https://api.weixin.qq.com" if PRODUCTION else "http://127.0.0.1:8001/sandbox/wx",
).rstrip("/")
WECHAT_OPEN_BASE = envstr(
    "WECHAT_OPEN_BASE",
    "https://open.weixin.qq.com" if PRODUCTION else "http://127.0.0.1:8001/sandbox/open",
).rstrip("/")
WECHAT_HTTP_TIMEOUT = float(envstr("WECHAT_HTTP_TIMEOUT", "5"))
# WeChat Pay API v3 (api.mch.weixin.qq.com); outside production, the sandbox's stand-in.
WECHATPAY_API_BASE = envstr(
    "WECHATPAY_API_BASE",
    "https://api.mch.weixin.qq.com" if PRODUCTION else "http://127.0.0.1:8001/sandbox/pay",
).rstrip("/")
# An answer or notification from WeChat Pay further than this from our clock is refused (s).
WECHATPAY_MAX_SKEW = envint("WECHATPAY_MAX_SKEW", 300)
# The sandbox's WeChat Pay: the factor on WeChat's notification retry pauses (15 s … 6 h) and on
# the minute a refund takes to go through. The demo's 0.02 runs 24 h of retries in 29 minutes.
SANDBOX_PAY_RETRY_SCALE = float(
    envstr("SANDBOX_PAY_RETRY_SCALE", "0.02" if CAREBRIDGE_ENV == "demo" else "1")
)
# A callback whose timestamp is further than this from our clock is a replay (seconds).
WECHAT_CALLBACK_MAX_SKEW = envint("WECHAT_CALLBACK_MAX_SKEW", 300)
WECHAT_CALLBACK_MAX_BYTES = envint("WECHAT_CALLBACK_MAX_BYTES", 64 * 1024)
# How long a process trusts its compiled reply rules before looking up their shared version:
# an edit reaches the other processes within this many seconds (wechat/rules.py).
WECHAT_RULES_RECHECK_SECONDS = float(envstr("WECHAT_RULES_RECHECK_SECONDS", "1"))
# Retry pauses after WeChat answers -1 (busy); seconds, one per retry.
WECHAT_BUSY_BACKOFF = [float(x) for x in envlist("WECHAT_BUSY_BACKOFF", "0.2,0.5,1")]
# Which API issues access tokens: "stable" (/cgi-bin/stable_token, the default: a fetch does not
# break the token other processes hold) or "classic" (/cgi-bin/token).
WECHAT_TOKEN_API = envstr("WECHAT_TOKEN_API", "stable")
if WECHAT_TOKEN_API not in {"stable", "classic"}:
    raise ImproperlyConfigured(
        f"WECHAT_TOKEN_API must be stable or classic, not {WECHAT_TOKEN_API!r}"
    )
# Fetch a new access token / JS-SDK ticket this many seconds before the old one expires.
WECHAT_TOKEN_REFRESH_MARGIN = envint("WECHAT_TOKEN_REFRESH_MARGIN", 300)
# Where QR images are shown (showqrcode); empty means the API base (the sandbox serves both).
WECHAT_MP_BASE = envstr("WECHAT_MP_BASE", "https://mp.weixin.qq.com" if PRODUCTION else "")
# Hosts besides SITE_URL's whose pages get a JS-SDK signature (host or host:port, comma-separated).
WECHAT_JSSDK_EXTRA_HOSTS = envlist("WECHAT_JSSDK_EXTRA_HOSTS", "")
# The JS-SDK script (jweixin) that pages which share (an article) load. An http(s) address is
# WeChat's own, loaded only for a request from WeChat's browser (elsewhere there is no bridge
# for it); anything else is a static file, loaded for every browser: with the sandbox on, its
# offline stand-in (the phone simulator's frame is an ordinary browser). Empty: no sharing.
WECHAT_JSSDK_SCRIPT = envstr(
    "WECHAT_JSSDK_SCRIPT",
    "sandbox/jweixin.js" if SANDBOX_ENABLED else "https://res.wx.qq.com/open/js/jweixin-1.6.0.js",
)
# Per-account credentials: WECHAT_<SLUG>_APPID, _APPSECRET, _TOKEN, _AESKEY, _MODE.
WECHAT_CREDENTIALS = credentials_from_environ(sandbox_defaults=not PRODUCTION)

# --- Personal data at rest (patients) --------------------------------------------------------
# Fernet keys, comma-separated, newest first: the first encrypts, every one decrypts. To rotate,
# put a new key first, run `manage.py rotate_patient_keys`, then drop the old key.
FIELD_ENCRYPTION_KEYS = envlist("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be set in production (Fernet keys, comma-separated: "
            "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())')"
        )
    FIELD_ENCRYPTION_KEYS = [deployment.DEVELOPMENT_FIELD_ENCRYPTION_KEY]
# HMAC-SHA256 key of the keyed hashes staff search ID numbers and phones by (not a Fernet key).
FIELD_HASH_KEY = envstr("FIELD_HASH_KEY")
if not FIELD_HASH_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "FIELD_HASH_KEY must be set in production (a long random string)"
        )
    FIELD_HASH_KEY = deployment.DEVELOPMENT_FIELD_HASH_KEY
# Text messages (phone verification codes): a dotted path, like Django's EMAIL_BACKEND. Outside
# production the sandbox backend shows them on the phone simulator.
SMS_BACKEND = envstr("SMS_BACKEND", "" if PRODUCTION else deployment.SANDBOX_SMS_BACKEND)
if PRODUCTION and not SMS_BACKEND:
    raise ImproperlyConfigured("SMS_BACKEND must be set in production (a dotted path to a backend)")
# Production refuses what the repository publishes or only the sandbox can use (one line each).
if PRODUCTION and (
    unsafe := deployment.unsafe_production_settings(
        debug=DEBUG,
        secret_key=SECRET_KEY,
        field_encryption_keys=FIELD_ENCRYPTION_KEYS,
        field_hash_key=FIELD_HASH_KEY,
        sms_backend=SMS_BACKEND,
    )
):
    raise ImproperlyConfigured("unsafe in production:\n  - " + "\n  - ".join(unsafe))

# --- Booking --------------------------------------------------------------------------------
# Booking attempts allowed per WeChat user and per client IP: "count/seconds" (429 beyond).
BOOKING_RATE_OPENID = envstr("BOOKING_RATE_OPENID", "10/60")
BOOKING_RATE_IP = envstr("BOOKING_RATE_IP", "60/60")

# --- Outbox worker --------------------------------------------------------------------------
OUTBOX_LEASE_SECONDS = envint("OUTBOX_LEASE_SECONDS", 60)
# How long a message failing for a passing reason (WeChat down or busy, network, timeout, 5xx) is
# retried, 2 s to 10 minutes apart, before it fails and staff are alerted; topics may differ.
OUTBOX_RETRY_HOURS = float(envstr("OUTBOX_RETRY_HOURS", "24"))
OUTBOX_POLL_SECONDS = float(envstr("OUTBOX_POLL_SECONDS", "0.5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "carebridge": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
        # A server error's traceback on the console with DEBUG off too (Django's own handler
        # prints only under DEBUG; ADMINS mail is not set up).
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # The development server's request lines; `make demo` sets WARNING to hide the polls.
        "django.server": {
            "handlers": ["console"],
            "level": envstr("REQUEST_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
    },
}

if PRODUCTION:
    missing = [slug for slug, c in WECHAT_CREDENTIALS.items() if not c.complete]
    if missing:
        raise ImproperlyConfigured(
            "WeChat credentials incomplete for account(s): "
            + ", ".join(missing)
            + " (set WECHAT_<SLUG>_APPID, _APPSECRET, _TOKEN and, for safe mode, _AESKEY)"
        )
