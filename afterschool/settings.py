"""Settings for the after-school service, one module driven by the environment.

SQLite in the project folder by default so a fresh clone runs at once;
``DATABASE_URL`` selects PostgreSQL. ``DJANGO_ENV=production`` turns on the
secure settings and refuses to start without the secrets (STYLE.md §12).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


PRODUCTION = env("DJANGO_ENV") == "production"

if PRODUCTION:
    # Secrets come from the environment only; a missing one stops the start
    # with a message naming it, instead of running with a development default.
    _missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL") if not env(name)]
    if _missing:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs these environment variables: "
            + ", ".join(_missing)
            + " (see deploy/afterschool.env.example)."
        )
    SECRET_KEY = env("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be 50+ random characters in production.")
    DEBUG = False
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must name at least one host in production.")
else:
    SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production-0123456789")
    DEBUG = env_bool("DEBUG", True)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tables2",
    "django_filters",
    "simple_history",
    "django_tasks_db",
    "axes",
    "afterschool",
    "enrollment",
    "scheduling",
    "billing",
    "overview",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A term for guardians, a working day for staff, renewed on use.
    "afterschool.middleware.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Refuses oversized bodies before anything reads them; innermost, so the
    # refusal page still gets the security headers above.
    "afterschool.middleware.RequestSizeLimitMiddleware",
    # django-axes wants to be last: it turns a lockout into our login page.
    "axes.middleware.AxesMiddleware",
]

# WhiteNoise serves the collected static files, compressed (.gz made by
# collectstatic) and with a year's Cache-Control on hashed names, in
# production and in `make demo` (SERVE_STATIC=true) so the demo weighs what
# production weighs; in development runserver and the test live server serve
# them from static/.
SERVE_STATIC = PRODUCTION or env_bool("SERVE_STATIC", False)
if SERVE_STATIC:
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "afterschool.urls"
WSGI_APPLICATION = "afterschool.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "afterschool.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60" if PRODUCTION else "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# "default": Django's own default (the WeCom token). "figures": the home
# pages' aggregate figures and charts, computed at most once every few
# minutes per school or class set (overview/home/figures.py). Per process:
# each gunicorn worker computes its own, which is all a few-minute lifetime needs.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "figures": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "figures",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

AUTH_USER_MODEL = "afterschool.User"
AUTHENTICATION_BACKENDS = [
    # Counts failed logins and refuses a locked account before the password is checked.
    "afterschool.throttle.LoginThrottleBackend",
    # ModelBackend that loads the user's school with the user (one query a page).
    "afterschool.auth.SchoolModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Argon2id with OWASP's parameters first (afterschool/hashers.py: 19 MiB,
# 2 passes, 1 lane, about 30 ms of one core per check, BENCHMARKS.md);
# the others only to read older hashes, which are re-hashed with Argon2id at
# the user's next successful login.
PASSWORD_HASHERS = [
    "afterschool.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Session lifetimes from the last use (afterschool.middleware.SessionLifetimeMiddleware):
# guardians a term (150 days: the autumn term runs September to mid-January),
# staff 12 hours. SESSION_COOKIE_AGE is the staff figure for anything else.
GUARDIAN_SESSION_SECONDS = 150 * 24 * 3600
STAFF_SESSION_SECONDS = 12 * 3600
SESSION_COOKIE_AGE = STAFF_SESSION_SECONDS
# Rules that fit parents typing on a phone, in our own words (您): see
# afterschool/passwords.py. All-digit passwords are allowed, simple runs are not.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "afterschool.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "afterschool.passwords.MinimumLengthValidator"},
    {"NAME": "afterschool.passwords.CommonPasswordValidator"},
    {"NAME": "afterschool.passwords.SimpleSequenceValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if SERVE_STATIC
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# The address families type or scan (activation letters, QR codes) and the
# links in SMS and WeCom texts, e.g. https://kfw.example.cn; empty = the
# address of the request (development; notices then link to runserver's
# default address).
SITE_URL = env("SITE_URL", "").rstrip("/")

MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "media/"

# Roster files are a few hundred KB; anything far larger is a mistake or an attack.
ROSTER_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
# Bounds on what a roster file may unpack to (afterschool/roster/parse.py),
# far above a real school's roster (a few thousand rows, about 15 columns,
# short cells) and far below what exhausts a worker: a 5 KB .xlsx declaring
# A1:XFD1048576 or a 400 KB zip bomb is refused before it is read.
ROSTER_MAX_ROWS = 10_000
ROSTER_MAX_COLUMNS = 100
ROSTER_MAX_CELL_CHARS = 500
ROSTER_MAX_UNPACKED_BYTES = 50 * 1024 * 1024
ROSTER_MAX_COMPRESSION_RATIO = 100
# Agreement templates (enrollment/agreements/texts.py): what one school's
# admin may write, so a template cannot hold every worker (seed 协议书模板).
AGREEMENT_MAX_BODY_CHARS = 20_000
AGREEMENT_MAX_FILTER_ARG_CHARS = 50
AGREEMENT_MAX_FILTER_NUMBER = 200
AGREEMENT_MAX_LOOPS = 5
AGREEMENT_MAX_LOOP_DEPTH = 1
AGREEMENT_MAX_RENDERED_CHARS = 50_000
# Rows (and problem lines) per page of the import preview.
ROSTER_PREVIEW_PER_PAGE = 100
# Whole request body: the largest upload plus room for the multipart framing
# and the form's other fields. RequestSizeLimitMiddleware refuses anything
# larger (413, Chinese page) before it is read; nginx's client_max_body_size
# in deploy/nginx/afterschool.conf is the same 6 MB.
REQUEST_BODY_MAX_BYTES = ROSTER_UPLOAD_MAX_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = ROSTER_UPLOAD_MAX_BYTES

# Django's form renderer with the common widget templates in Python
# (afterschool/renderers.py): the same HTML, a tenth of the time.
FORM_RENDERER = "afterschool.renderers.FastWidgetRenderer"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Notices (afterschool/notices/): in-app always; these outside channels too,
# each a backend speaking its provider's HTTP API. NOTICE_CHANNELS lists the
# ones switched on (comma-separated: console, sms, wecom).
NOTICE_CHANNELS = env_list("NOTICE_CHANNELS", "" if PRODUCTION else "console")
NOTICE_BACKENDS = {
    # Development and the demo: one line a notice in a file (or the log).
    "console": {
        "BACKEND": "afterschool.notices.backends.ConsoleBackend",
        "PATH": env("NOTICE_CONSOLE_PATH", ""),
    },
    # Tencent Cloud SMS (SendSms, API 3.0, TC3-HMAC-SHA256 signature).
    "sms": {
        "BACKEND": "afterschool.notices.backends.TencentSmsBackend",
        "ENDPOINT": env("SMS_ENDPOINT", "https://sms.tencentcloudapi.com"),
        "SECRET_ID": env("SMS_SECRET_ID"),
        "SECRET_KEY": env("SMS_SECRET_KEY"),
        "REGION": env("SMS_REGION", "ap-guangzhou"),
        "SDK_APP_ID": env("SMS_SDK_APP_ID"),
        "SIGN_NAME": env("SMS_SIGN_NAME"),
        # A template with one parameter: the notice's title.
        "TEMPLATE_ID": env("SMS_TEMPLATE_ID"),
    },
    # 企业微信 家校沟通: the school's application sends 学校通知 to parents.
    "wecom": {
        "BACKEND": "afterschool.notices.backends.WeComSchoolNoticeBackend",
        "BASE_URL": env("WECOM_BASE_URL", "https://qyapi.weixin.qq.com"),
        "CORP_ID": env("WECOM_CORP_ID"),
        "SECRET": env("WECOM_SECRET"),
        "AGENT_ID": env("WECOM_AGENT_ID"),
    },
}
# Absolute links in SMS and WeCom texts use SITE_URL too (above).
# Retries of an outside delivery: at most this many attempts, waiting
# NOTICE_RETRY_BASE_SECONDS × 2^(attempt−1) between them.
NOTICE_MAX_ATTEMPTS = int(env("NOTICE_MAX_ATTEMPTS", "5"))
NOTICE_RETRY_BASE_SECONDS = int(env("NOTICE_RETRY_BASE_SECONDS", "60"))
NOTICE_HTTP_TIMEOUT_SECONDS = float(env("NOTICE_HTTP_TIMEOUT_SECONDS", "10"))
# 安全共管 alerts: a period's roll not taken this many minutes after it
# starts; a child not collected this many minutes after dismissal.
ROLL_NOT_TAKEN_MINUTES = int(env("ROLL_NOT_TAKEN_MINUTES", "10"))
NOT_COLLECTED_MINUTES = int(env("NOT_COLLECTED_MINUTES", "20"))

# Content-Security-Policy: everything is served from our own origin (no CDN).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: htmx sends the token from the page
# (hx-headers='{"X-CSRFToken": "{{ csrf_token }}"}').
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "django.views.csrf.csrf_failure"  # renders templates/403_csrf.html
SECURE_REFERRER_POLICY = "same-origin"

# Login throttling (django-axes): 5 wrong passwords lock the account, whatever
# the address they come from, for 15 minutes. Guardians log in with a mobile
# typed in any shape, so the attempts are counted under the normalised login.
AXES_ENABLED = True
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Activation codes (afterschool.activation): wrong codes per mobile before
# that mobile is locked, and for how long; the same policy as the login.
ACTIVATION_FAILURE_LIMIT = 5
ACTIVATION_LOCKOUT = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the address in the lockout key too. We lock the account
# only: a school's staff room, or a housing estate's families, share one
# public address, and five typos there must not lock everyone out. Guessing
# many accounts from one address is slowed at the edge instead (nginx
# limit_req on the login URLs, deploy/nginx/afterschool.conf).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_CALLABLE = "afterschool.throttle.attempt_username"
AXES_LOCKOUT_CALLABLE = "afterschool.throttle.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
# The lock ends 15 minutes after the fifth failure, as the message says; trying
# again meanwhile (even with the right password) does not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
    # The load balancer probes plain HTTP on the app port.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # __Host- cookies: HTTPS only, this exact host, path /; a sibling
    # subdomain cannot plant or read them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Personal data (names, ID numbers, mobiles) never goes to logs: errors log
# the exception only, request bodies are never logged, and every record that
# reaches the console passes a filter that blanks ID numbers and mobiles
# (afterschool/logging.py). Django's own loggers hand their records to the
# root handler instead of their defaults (no e-mailed error reports, which
# would carry request data).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub_personal_data": {"()": "afterschool.logging.ScrubPersonalDataFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["scrub_personal_data"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # A bad Host header is a probe, not our error: one line, no traceback
        # spam from propagation, but still through the scrubbing handler (the
        # header itself may carry a mobile: ``Host: 13800138001.evil``).
        "django.security.DisallowedHost": {
            "handlers": ["console"],
            "level": "WARNING",
            "propagate": False,
        },
        "weasyprint": {"level": "WARNING"},
        # Lockouts are warnings; axes' per-attempt chatter is not needed.
        "axes": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
