"""Settings for every environment, read from environment variables only.

``DJANGO_ENV`` picks safe defaults: ``production`` (the default) requires every secret and turns
on secure cookies; ``demo`` and ``test`` run on embedded defaults (SQLite, a filesystem Celery
transport, a file cache). Production differs from the demo by variables, never by modules.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_choice, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DJANGO_ENV = env_choice("DJANGO_ENV", ("production", "demo", "test"), "production")
IS_PRODUCTION = DJANGO_ENV == "production"

SECRET_KEY = env_secret("SECRET_KEY")
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")
DEBUG = env_bool("DEBUG", False)
if DEBUG and IS_PRODUCTION:
    # Debug pages show local variables: decrypted case content and connection passwords.
    raise ImproperlyConfigured("DEBUG must not be true with DJANGO_ENV=production.")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", None if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "guardian",
    "csp",
    "protections",
    "crypto",
    "files",
    "accounts",
    "audit",
    "notifications",
    "cases",
    "intake",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An idle or day-old staff session is signed out before any view runs (after the message
    # middleware: the login page says why).
    "accounts.session_timeout.StaffSessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.NoStoreMiddleware",
    # Domain errors a view lets through become their error page (config.errors).
    "config.errors.ApplicationErrorMiddleware",
    # Last, so that a lockout answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "config.context_processors.site",
                "accounts.context_processors.staff_roles",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
# Connection URLs may carry passwords, so they can come from files too (NAME_FILE). Production
# must name its database and broker: falling back to the demo's SQLite file and folder queue
# would lose data silently.
_db_url = (
    env_secret("DATABASE_URL")
    if IS_PRODUCTION
    else env_secret("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ombuds.sqlite3'}")
)
try:
    _db = dj_database_url.parse(_db_url, conn_max_age=60)
except (ValueError, KeyError) as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc.__class__.__name__}.") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the Celery worker of the demo share the file.
    _db["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    _db["CONN_MAX_AGE"] = 0
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache (rate limits and lockouts live here, with a TTL, never in the database) ------------
# Production must name a shared cache (Redis): the login throttle and the reporters' rate limits
# count across all web processes. The demo's file cache is good enough for one machine.
if IS_PRODUCTION:
    _cache_url = env_secret("CACHE_URL")
else:
    _cache_url = env_secret(
        "CACHE_URL", "locmem://" if DJANGO_ENV == "test" else f"file://{VAR_DIR / 'cache'}"
    )
if _cache_url.startswith(("redis://", "rediss://", "unix://")):
    _cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
elif _cache_url.startswith("file://"):
    _cache = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": _cache_url.removeprefix("file://"),
    }
elif _cache_url == "locmem://":
    _cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
else:
    raise ImproperlyConfigured("CACHE_URL must start with redis://, rediss://, file:// or be locmem://.")
CACHES = {"default": _cache}

# --- authentication -------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # guardian's backend is deliberately absent: object permissions are only ever checked through
    # cases.access, which switches off the superuser and global-permission shortcuts.
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_USER_MODEL = "accounts.User"
# guardian would otherwise create an "AnonymousUser" account; anonymous visitors never get
# object permissions here.
ANONYMOUS_USER_NAME = None
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cases:dashboard"
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Ombuds office")

AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
SILENCED_SYSTEM_CHECKS = [
    # Deliberate: guardian's backend would let superusers and global permissions through.
    "guardian.W001",
]
if not IS_PRODUCTION:
    # The demo's file cache and the tests' local-memory cache are not atomic across processes;
    # production refuses to start without CACHE_URL, and the check stays on there.
    SILENCED_SYSTEM_CHECKS.append("axes.W001")
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Attempts live in the cache, not in axes' tables; its admin pages would always be empty.
AXES_ENABLE_ADMIN = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_ip"
AXES_CLIENT_STR_CALLABLE = "accounts.throttle.describe_attempt"
# The request header a trusted reverse proxy sets to the client address (e.g. HTTP_X_REAL_IP);
# empty means REMOTE_ADDR. Never set it when clients can reach the app without the proxy.
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER", "")

# A staff session ends this long after sign-in, however busy (accounts.session_timeout)...
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
# ...and after this many minutes without a request.
STAFF_IDLE_MINUTES = env_int("STAFF_IDLE_MINUTES", 30, minimum=1)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Messages wait in the server-side session, never in a cookie: cookie messages are signed but
# readable, and a message may name what someone was working on.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
_secure = env_bool("SECURE_COOKIES", IS_PRODUCTION)
SESSION_COOKIE_SECURE = _secure
CSRF_COOKIE_SECURE = _secure
CSRF_COOKIE_HTTPONLY = True
# A browser-session cookie, like every other one: a year-long CSRF cookie would tell whoever
# shares the device that this site was visited.
CSRF_COOKIE_AGE = None
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if IS_PRODUCTION else 0, minimum=0)
# Subdomains and preloading are the domain owner's decision (a university may not want HSTS on
# every subdomain), so they are off unless the deployment says so.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin: no referrer ever leaves the site (quick exit, links), while our own form posts
# keep the Origin header that CSRF protection checks (no-referrer makes browsers send "null").
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A strict policy: everything from our own origin, no inline script or style, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
    }
}

# --- internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Nederlands"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language choice lives only as long as the browser session: a persistent cookie would tell
# whoever shares the device that this site was visited.
LANGUAGE_COOKIE_AGE = None
LANGUAGE_COOKIE_SECURE = _secure
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

# --- static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
# Production serves collected files; the demo and tests serve straight from the finders.
STATIC_ROOT = BASE_DIR / "staticfiles" if IS_PRODUCTION else None
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not IS_PRODUCTION

# --- email (content-free notifications only) -------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ombuds@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS: list[tuple[str, str]] = []  # no error mails: they would carry request data

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = (
    env_secret("CELERY_BROKER_URL") if IS_PRODUCTION else env_secret("CELERY_BROKER_URL", "filesystem://")
)
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL == "filesystem://":
    # kombu's filesystem transport needs no server, so the demo's reminders really run.
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")

# --- product settings -----------------------------------------------------------------------
# The reporter's side (intake): receipt-code attempts that fail, per code and per client, before
# a pause of RECEIPT_CODE_LOCKOUT_MINUTES; web forms sent per client per hour; and how long a
# status page may stay idle before the reporter must enter their code again.
RECEIPT_CODE_FAILURES_PER_CODE = env_int("RECEIPT_CODE_FAILURES_PER_CODE", 5, minimum=1)
RECEIPT_CODE_FAILURES_PER_CLIENT = env_int("RECEIPT_CODE_FAILURES_PER_CLIENT", 20, minimum=1)
RECEIPT_CODE_LOCKOUT_MINUTES = env_int("RECEIPT_CODE_LOCKOUT_MINUTES", 15, minimum=1)
SUBMISSIONS_PER_CLIENT_PER_HOUR = env_int("SUBMISSIONS_PER_CLIENT_PER_HOUR", 20, minimum=1)
REPORTER_IDLE_MINUTES = env_int("REPORTER_IDLE_MINUTES", 15, minimum=1)
# Additions (text and files) on the status page per case and per client per hour, and files a
# member of staff may upload per hour: each upload is read and checked, which costs a worker.
STATUS_ADDITIONS_PER_CASE_PER_HOUR = env_int("STATUS_ADDITIONS_PER_CASE_PER_HOUR", 20, minimum=1)
STATUS_ADDITIONS_PER_CLIENT_PER_HOUR = env_int("STATUS_ADDITIONS_PER_CLIENT_PER_HOUR", 60,
                                               minimum=1)
STAFF_UPLOADS_PER_USER_PER_HOUR = env_int("STAFF_UPLOADS_PER_USER_PER_HOUR", 60, minimum=1)
# Where the quick-exit button sends a visitor: a neutral page that reveals nothing.
QUICK_EXIT_URL = env_str("QUICK_EXIT_URL", "https://www.weeronline.nl/")

# --- logging: stdout only, never request bodies, never the request object ---------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_request": {"()": "config.logging.DropRequestFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "discard": {"class": "logging.NullHandler"},
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
            "filters": ["no_request"],
        },
    },
    "root": {"handlers": ["stdout"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        # Disallowed-host reports echo the raw Host header: keep nothing. (A logger with no
        # handler at all would fall through to Python's last resort, which prints the record,
        # header and traceback, to stderr outside our format and filters.)
        "django.security.DisallowedHost": {"handlers": ["discard"], "propagate": False},
        "axes": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
    },
}
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

# --- keys (never derived from SECRET_KEY; each may come from a file via <NAME>_FILE) ------------
# Format of each: comma-separated "<key-id>:<base64 of 32 random bytes>", newest first.
# Generate with `python deploy/generate_keys.py`. Parsed and validated at start-up by the
# apps that use them (crypto for the first three, audit.signing for the last).
ENCRYPTION_KEYS = env_secret("ENCRYPTION_KEYS")
BLIND_INDEX_KEYS = env_secret("BLIND_INDEX_KEYS")
# The pepper under which receipt-code verifiers are stored (HMAC-SHA256; see cases.receipt_codes).
RECEIPT_CODE_KEYS = env_secret("RECEIPT_CODE_KEYS")
AUDIT_SIGNING_KEYS = env_secret("AUDIT_SIGNING_KEYS")

# --- audit ---------------------------------------------------------------------------------
# Public halves of retired checkpoint-signing keys, so that old checkpoints stay verifiable:
# comma-separated "<key-id>:<base64 of the 32-byte Ed25519 public key>" (print the current one
# with `manage.py audit_public_key`). Validated at start-up by audit.signing.
AUDIT_VERIFY_KEYS = env_secret("AUDIT_VERIFY_KEYS", "")
CELERY_BEAT_SCHEDULE["audit-checkpoint"] = {
    "task": "audit.tasks.audit_checkpoint",
    "schedule": timedelta(minutes=15),
}
# Once a day a full checkpoint covers every stream head, including events committed too late
# for the incremental runs to notice (see docs/audit.md, "Checkpoints").
CELERY_BEAT_SCHEDULE["audit-checkpoint-full"] = {
    "task": "audit.tasks.audit_checkpoint",
    "schedule": crontab(hour=3, minute=30),
    "kwargs": {"full": True},
}

# --- case files -----------------------------------------------------------------------------
# Largest file, and most files, accepted per upload. Uploads are held in memory only (never a
# temporary file on disk, where plaintext would outlive the request), so these also bound a
# request's memory; see config.uploads.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
ATTACHMENT_MAX_FILES = env_int("ATTACHMENT_MAX_FILES", 10, minimum=1)
# What Office and OpenDocument files (zips) may unpack to while they are checked: each file, and
# all the files of one request together. Honest documents unpack to a few times their size;
# a zip bomb (200 MB of zeros in 200 kB) is refused on the sizes it declares, before anything
# is unpacked, and what is unpacked is counted as it streams. The request's budget is twice a
# file's, so that two large honest documents still go together, while a request's worst case
# stays well under a second of work.
ATTACHMENT_MAX_UNPACKED_BYTES = env_int(
    "ATTACHMENT_MAX_UNPACKED_BYTES", 4 * ATTACHMENT_MAX_BYTES, minimum=ATTACHMENT_MAX_BYTES)
ATTACHMENT_MAX_UNPACKED_BYTES_PER_REQUEST = env_int(
    "ATTACHMENT_MAX_UNPACKED_BYTES_PER_REQUEST", 2 * ATTACHMENT_MAX_UNPACKED_BYTES,
    minimum=ATTACHMENT_MAX_UNPACKED_BYTES)
FILE_UPLOAD_HANDLERS = ["config.uploads.BoundedMemoryUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES + 64 * 1024
