"""Settings for the advocacy app.

One module for every environment: each knob is read from the environment (or an optional
`.env` file beside manage.py). With nothing set and DEBUG on, the app runs on SQLite with a
Celery broker that needs no server; production sets DATABASE_URL, REDIS_URL and friends.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

# Local state that is not the database: the serverless broker, beat's schedule, media.
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "advocacy",
    "campaigns",
    "contacts",
    "meetings",
    "letters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "template_partials",
    "django_countries",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "advocacy.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "advocacy.urls"
WSGI_APPLICATION = "advocacy.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "advocacy.context_processors.navigation",
            ],
        },
    },
]

FORM_RENDERER = "advocacy.forms_renderer.FormRenderer"

SQLITE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db("DATABASE_URL", default=SQLITE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT spends seconds compiling directory queries whose row estimates are
    # high, to run plans that take milliseconds; and on SSDs random reads cost little more
    # than sequential ones, so indexes get used (bench/README.md). `options` in
    # DATABASE_URL replaces these.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=off -c random_page_cost=1.1"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "advocacy.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=7)

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our additions to Django's date formats (Arabic dates with times).
FORMAT_MODULE_PATH = ["advocacy.formats"]
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "static"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATIC_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "media/"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Advocacy <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# Production hardening. Behind a TLS-terminating proxy set BEHIND_PROXY=1.
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Health probes come over plain HTTP from inside the network (container checks, load balancers).
SECURE_REDIRECT_EXEMPT = [r"^healthz"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)

# Celery. Without Redis the filesystem transport is the broker, so worker and beat still run
# on a bare machine; it needs no server but only suits one machine.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if not REDIS_URL:
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies mid-run is delivered again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule")
)
CELERY_TIMEZONE = "UTC"
# Beat first sends an interval task one interval after it starts, so tests shorten it.
WORKER_HEARTBEAT_INTERVAL = env.int("WORKER_HEARTBEAT_INTERVAL", default=60)
# Reminders: how often beat's dispatcher looks for due ones, how many it claims per
# transaction, and after how long a queued one that was never delivered is sent again. That
# must be longer than a worker takes to work through a busy queue, or deliveries double up
# (harmlessly: delivery is idempotent).
REMINDERS_DISPATCH_INTERVAL = env.int("REMINDERS_DISPATCH_INTERVAL", default=30)
REMINDERS_DISPATCH_BATCH = env.int("REMINDERS_DISPATCH_BATCH", default=500)
REMINDERS_REQUEUE_AFTER = env.int("REMINDERS_REQUEUE_AFTER", default=300)
# Letters: how often beat's dispatcher looks for letters that are due; after how long a
# letter queued or being sent whose task was lost (a killed worker, a broker restarted
# without its queue) is sent again, which must be longer than a busy queue takes; how many
# times a letter the mail server refuses is tried, waiting LETTERS_RETRY_AFTER seconds and
# twice as long each time after. How many letters one send task takes is not a setting.
LETTERS_DISPATCH_INTERVAL = env.int("LETTERS_DISPATCH_INTERVAL", default=15)
LETTERS_LEASE = env.int("LETTERS_LEASE", default=300)
LETTERS_MAX_ATTEMPTS = env.int("LETTERS_MAX_ATTEMPTS", default=5)
LETTERS_RETRY_AFTER = env.int("LETTERS_RETRY_AFTER", default=60)
CELERY_BEAT_SCHEDULE = {
    # Every minute by default: the worker writes a heartbeat that /healthz reports.
    "worker-heartbeat": {
        "task": "advocacy.tasks.worker_heartbeat",
        "schedule": float(WORKER_HEARTBEAT_INTERVAL),
    },
    # Every 30 seconds by default: claim the reminders that are due and queue one delivery
    # each. A tick that waited behind others past the next one is dropped, not run late.
    "reminders-dispatch": {
        "task": "campaigns.tasks.reminders_dispatch",
        "schedule": float(REMINDERS_DISPATCH_INTERVAL),
        "options": {"expires": REMINDERS_DISPATCH_INTERVAL},
    },
    # Every five minutes: turn rules over calendar events and quiet relationships into
    # reminders, and cancel those no longer wanted.
    "reminders-plan": {
        "task": "campaigns.tasks.reminders_plan",
        "schedule": 300.0,
        "options": {"expires": 300},
    },
    # Every quarter of an hour: the daily digest, for each user whose local time is past 08:00.
    "reminders-digest": {
        "task": "campaigns.tasks.reminders_digest",
        "schedule": 900.0,
        "options": {"expires": 900},
    },
    # Every 15 seconds by default: give back letters whose task was lost, claim the letters
    # that are due and queue one send task per chunk of them.
    "letters-dispatch": {
        "task": "letters.tasks.letters_dispatch",
        "schedule": float(LETTERS_DISPATCH_INTERVAL),
        "options": {"expires": LETTERS_DISPATCH_INTERVAL},
    },
    # Every hour: ask the writers of letters sent two weeks ago whether a reply came.
    "letters-reply-check": {
        "task": "letters.tasks.letters_reply_check",
        "schedule": 3600.0,
        "options": {"expires": 3600},
    },
    # Every day at 05:00 UTC, before the working day in Europe and Africa: FOI requests past
    # their deadline without an answer are marked so.
    "letters-foi-daily": {
        "task": "letters.tasks.letters_foi_daily",
        "schedule": crontab(hour=5, minute=0),
        "options": {"expires": 3600},
    },
}
# A worker is reported down when its last heartbeat is older than this.
WORKER_HEARTBEAT_MAX_AGE = env.int("WORKER_HEARTBEAT_MAX_AGE", default=180)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools narrate every PDF at INFO; only their problems matter.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
