"""Settings for chatkit-django, read from the environment (and ``.env`` when present).

Every variable is listed with its default in ``.env.example``. Readers live in
``core.env`` and refuse bad values with a message naming the variable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from core.env import (
    env_bool,
    env_choice,
    env_database,
    env_int,
    env_list,
    env_optional,
    env_size,
    env_str,
    env_throttle_rate,
    persistent_secret,
    redis_backends,
)
from core.security import content_security_policy

BASE_DIR = Path(__file__).resolve().parent.parent

# A .env file beside manage.py is read when present; real environment variables win.
# CHATKIT_DOTENV=false skips it (the test settings do, so that tests ignore a developer's .env).
if env_bool("CHATKIT_DOTENV", True) and (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Set by chatkit_site.settings_test (the test suite); relaxes password hashing, adds testserver.
TESTING = env_bool("CHATKIT_TESTING", False)

DATA_DIR = Path(env_str("CHATKIT_DATA_DIR", str(BASE_DIR / "var"))).expanduser()
if not DATA_DIR.is_absolute():
    DATA_DIR = BASE_DIR / DATA_DIR

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_optional("SECRET_KEY") or persistent_secret(DATA_DIR, "secret_key")
# Fernet keys (comma-separated; the first encrypts) for the credentials admins enter (MCP server
# headers, model API keys). Unset: a key generated into the data folder (core.credentials).
CREDENTIALS_KEY = env_optional("CREDENTIALS_KEY") or ""
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
if TESTING:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- Security (README "Security") -------------------------------------------------------------
# How many reverse proxies in front of the app append to X-Forwarded-For. 0: the header is
# ignored and the connection's address is the client's (a client can write anything there).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
# Behind a TLS-terminating proxy, trust its X-Forwarded-Proto header.
BEHIND_HTTPS_PROXY = env_bool("BEHIND_HTTPS_PROXY", False)
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", BEHIND_HTTPS_PROXY)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", BEHIND_HTTPS_PROXY)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Load balancers probe health over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^api/health$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Front ends served from other origins (https://app.example.com, comma-separated) may call the
# API with the user's token; empty: same origin only. Cookies are never allowed cross-origin.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = (
    "accept",
    "accept-language",
    "authorization",
    "content-type",
    "idempotency-key",
    "x-chatkit-client-secret",
)
CORS_EXPOSE_HEADERS = ("retry-after",)
CORS_PREFLIGHT_MAX_AGE = 3600
# Request bodies are bounded before authentication (chatkit_site.bodylimit); these are the
# limits of paths without one of their own (ChatKit requests, uploads and documents have theirs).
REQUEST_MAX_BODY_BYTES = env_int("REQUEST_MAX_BODY_MB", 2, minimum=1) * 1024 * 1024

INSTALLED_APPS = [
    # chatkit_site first: its runserver (daphne's, dying with its parent) wins over daphne's,
    # which itself replaces Django's so the dev server speaks ASGI.
    "chatkit_site",
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "core",
    "accounts",
    "conversations",
    "vectorstores",
    "widgets",
    "voice",
    "tools",
    "workflows",
    "tasks",
    "mcphub",
    "events",
]

MIDDLEWARE = [
    # First: a CORS preflight is answered before anything else (authentication included).
    "corsheaders.middleware.CorsMiddleware",
    "core.middleware.RequestSanityMiddleware",
    "core.middleware.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "core.middleware.ServiceErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# POST /api/chatkit (the hot path) goes through this shorter chain: it uses neither sessions,
# CSRF, messages nor page headers (see chatkit_site.asgi).
CHATKIT_MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "core.middleware.SecurityMiddleware",
    "core.middleware.ServiceErrorMiddleware",
    "core.middleware.LocaleMiddleware",
]

ROOT_URLCONF = "chatkit_site.urls"
# Who a Bearer token belongs to, for the async endpoints of core.http (accounts' JWT check).
API_BEARER_AUTHENTICATOR = "accounts.authentication.authenticate_bearer"
ASGI_APPLICATION = "chatkit_site.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.api_tokens",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# DATABASE_URL set: any PostgreSQL >= 14 with the pgvector extension available.
# Unset: an embedded PostgreSQL 18 + pgvector started under CHATKIT_DATA_DIR on first use.
_database = env_database("DATABASE_URL")


def _embedded_tuning() -> dict[str, str]:
    chosen = {
        "shared_buffers": env_size("EMBEDDED_PG_SHARED_BUFFERS"),
        "work_mem": env_size("EMBEDDED_PG_WORK_MEM"),
    }
    if env_optional("EMBEDDED_PG_MAX_CONNECTIONS"):
        chosen["max_connections"] = str(env_int("EMBEDDED_PG_MAX_CONNECTIONS", 100, minimum=10))
    return {name: value for name, value in chosen.items() if value}


if _database is None:
    _embedded_name = env_str("CHATKIT_DB_NAME", "chatkit")
    _database = {
        "ENGINE": "core.embedded_postgres",
        "NAME": _embedded_name,
        "EMBEDDED_MAIN_NAME": _embedded_name,
        "EMBEDDED_DATA_DIR": str(DATA_DIR / "pgdata"),
        # Chosen by hand instead of from the machine (core.embedded_postgres.tuning).
        "EMBEDDED_TUNING": _embedded_tuning(),
    }
# A pool of connections per process (psycopg_pool, through Django): requests borrow one for each
# database call and give it back at once, so streams waiting on the model hold none, and the
# process never opens more than DATABASE_POOL_SIZE. Waiting longer than DATABASE_POOL_TIMEOUT
# seconds for one is a 503. DATABASE_POOL_SIZE=0 turns the pool off (then DATABASE_CONN_MAX_AGE
# applies: one connection per request, kept that many seconds).
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 20, minimum=0)
DATABASE_POOL_TIMEOUT = env_int("DATABASE_POOL_TIMEOUT", 10, minimum=1)
if DATABASE_POOL_SIZE:
    _database.setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, DATABASE_POOL_SIZE),
        "max_size": DATABASE_POOL_SIZE,
        "timeout": DATABASE_POOL_TIMEOUT,
    }
    _database["CONN_MAX_AGE"] = 0
else:
    _database["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0)
DATABASES = {"default": _database}
# Async code's database calls run on a shared pool of threads (core.db); the test
# settings run them in the request's thread, where the test's transaction is visible.
DATABASE_CALLS_IN_REQUEST_THREAD = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and channel layer --------------------------------------------------------------
# With several workers, whatever they share lives in Redis (REDIS_URL): the cache (throttles,
# weather answers, the assistant's MCP server list, used WebSocket tickets) and the channel layer
# (live events). A Redis outage degrades instead of failing requests (core.cache: reads
# miss, writes are skipped; events are dropped and logged). Without REDIS_URL both live in the
# process, which is right for one worker only.
REDIS_URL = env_optional("REDIS_URL")
# Seconds a Redis call may take before it counts as an outage (so nothing hangs on a dead Redis).
REDIS_TIMEOUT_SECONDS = env_int("REDIS_TIMEOUT_SECONDS", 2, minimum=1)
if REDIS_URL:
    CACHES, CHANNEL_LAYERS = redis_backends(REDIS_URL, REDIS_TIMEOUT_SECONDS)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Seconds a stopping worker (SIGTERM) gives its open streams to finish (chatkit_site.serve).
SHUTDOWN_GRACE_SECONDS = env_int("SHUTDOWN_GRACE_SECONDS", 10, minimum=1)
# Live events (/ws/events): how long a ticket from POST /api/events/ticket stays valid, and how
# long a new WebSocket may stay silent before it must have authenticated.
EVENTS_TICKET_SECONDS = env_int("EVENTS_TICKET_SECONDS", 30, minimum=5)
EVENTS_AUTH_TIMEOUT_SECONDS = env_int("EVENTS_AUTH_TIMEOUT_SECONDS", 10, minimum=1)

# --- Accounts -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "/login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 8, minimum=1)},
    },
]
if TESTING:
    # Hashing with PBKDF2's full work factor dominates test time; tests only need a hash.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

ADMIN_EMAIL = env_optional("ADMIN_EMAIL")
ADMIN_PASSWORD = env_optional("ADMIN_PASSWORD")
ADMIN_PASSWORD_RESET = env_bool("ADMIN_PASSWORD_RESET", False)
if bool(ADMIN_EMAIL) != bool(ADMIN_PASSWORD):
    missing = "ADMIN_PASSWORD" if ADMIN_EMAIL else "ADMIN_EMAIL"
    raise ImproperlyConfigured(f"{missing} must be set together with ADMIN_EMAIL/ADMIN_PASSWORD.")

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.parsers.SafeJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.exceptions.api_exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("ACCESS_TOKEN_EXPIRE_MINUTES", 120, minimum=1)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("REFRESH_TOKEN_EXPIRE_DAYS", 7, minimum=1)),
    "SIGNING_KEY": env_optional("JWT_SIGNING_KEY") or persistent_secret(DATA_DIR, "jwt_signing_key"),
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": True,
    # Each refresh returns a new refresh token and blacklists the old one.
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    # Tokens carry a hash of the password hash: changing the password revokes them all.
    "CHECK_REVOKE_TOKEN": True,
}
# Failed logins (API, /login and /admin/login/) per client address and per account.
LOGIN_THROTTLE_RATE = env_throttle_rate("LOGIN_THROTTLE_RATE", "10/min")
LOGIN_ACCOUNT_THROTTLE_RATE = env_throttle_rate("LOGIN_ACCOUNT_THROTTLE_RATE", "10/15min")

SPECTACULAR_SETTINGS = {
    "TITLE": "chatkit-django API",
    "DESCRIPTION": "Self-hosted ChatKit backend: auth, conversations, knowledge base, widgets, voice.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The async endpoints (ChatKit, hosted mode, config, weather) are added by core.openapi.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.add_async_endpoints",
    ],
}

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
# One catalogue for the whole project (pages, API messages, admin labels of our models).
LOCALE_PATHS = [BASE_DIR / "chatkit_site" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The ASGI app serves static files itself unless a proxy in front does (SERVE_STATIC=false).
SERVE_STATIC = env_bool("SERVE_STATIC", True)
MEDIA_ROOT = DATA_DIR / "media"

# --- Logging ------------------------------------------------------------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"expected_chatkit_errors": {"()": "chatkit_site.logging.ExpectedChatKitErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # "chatkit" is also the ChatKit SDK's own logger (our loggers are its children).
        "chatkit": {"level": LOG_LEVEL, "filters": ["expected_chatkit_errors"]},
        "django": {"level": "INFO"},
        # Every 4xx would be a warning line (and a cost on the hot path); errors stay logged.
        "django.request": {"level": "ERROR"},
    },
}

# --- ChatKit ------------------------------------------------------------------------------
OPENAI_API_KEY = env_optional("OPENAI_API_KEY")
OPENAI_BASE_URL = env_optional("OPENAI_BASE_URL")
CHATKIT_MODEL_API = env_choice("CHATKIT_MODEL_API", "responses", ("responses", "chat_completions"))
CHATKIT_AGENT_MODEL = env_str("CHATKIT_AGENT_MODEL", "gpt-4.1-mini")
CHATKIT_AGENT_INSTRUCTIONS = env_str(
    "CHATKIT_AGENT_INSTRUCTIONS",
    "You are a helpful assistant. Answer concisely. Use the tools you have when they help.",
)
CHATKIT_HISTORY_ITEMS = env_int("CHATKIT_HISTORY_ITEMS", 30, minimum=1)
CHATKIT_MAX_UPLOAD_BYTES = env_int("CHATKIT_MAX_UPLOAD_MB", 10, minimum=1) * 1024 * 1024
CHATKIT_MAX_ATTACHMENTS = env_int("CHATKIT_MAX_ATTACHMENTS", 4, minimum=0)
CHATKIT_UPLOAD_TYPES = env_list("CHATKIT_UPLOAD_TYPES", ["image/*", "application/pdf", "text/plain"])
# A ChatKit request body (not uploads, which have their own endpoint) is small JSON.
CHATKIT_MAX_REQUEST_BYTES = env_int("CHATKIT_MAX_REQUEST_BYTES", 2 * 1024 * 1024, minimum=1024)
# Uploads are read into memory up to this size, then spooled to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Background tasks ---------------------------------------------------------------------
# Large ingestion jobs run in `manage.py db_worker` (django-tasks, database backend).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Admin-provided templates (widget templates, workflow expressions) ----------------------
# Rendered in a sandbox (core.templating) with these limits.
TEMPLATE_MAX_OUTPUT_CHARS = env_int("TEMPLATE_MAX_OUTPUT_CHARS", 200_000, minimum=1000)
TEMPLATE_MAX_ITERATIONS = env_int("TEMPLATE_MAX_ITERATIONS", 20_000, minimum=100)
TEMPLATE_TIME_BUDGET_MS = env_int("TEMPLATE_TIME_BUDGET_MS", 500, minimum=10)

# --- Knowledge base -----------------------------------------------------------------------
EMBEDDING_MODEL = env_str("EMBEDDING_MODEL", "intfloat/multilingual-e5-small")
EMBEDDING_BATCH_SIZE = env_int("EMBEDDING_BATCH_SIZE", 32, minimum=1)
# Threads the embedder computes with in each process; 0 = half the cores this process may use
# (at least one): the embedder shares the machine with PostgreSQL and the other workers, and
# under contention one thread outran two (bench/ingest.py --threads).
EMBEDDING_THREADS = env_int("EMBEDDING_THREADS", 0, minimum=0)
# The embedder of stores created without one: "" (the local model above) or, with an OpenAI key,
# "openai:text-embedding-3-small" / "openai:text-embedding-3-large" (vectorstores.openai_embeddings).
KB_STORE_EMBEDDER = env_str("KB_STORE_EMBEDDER", "")
# Chunks never exceed the embedding model's maximum sequence length; this caps them lower.
KB_CHUNK_MAX_TOKENS = env_int("KB_CHUNK_MAX_TOKENS", 256, minimum=16)
KB_CHUNK_OVERLAP_LINES = env_int("KB_CHUNK_OVERLAP_LINES", 1, minimum=0)
KB_MAX_UPLOAD_BYTES = env_int("KB_MAX_UPLOAD_MB", 200, minimum=1) * 1024 * 1024
# One JSON document posted to the documents API (larger files go through the upload).
KB_MAX_DOCUMENT_BYTES = env_int("KB_MAX_DOCUMENT_MB", 10, minimum=1) * 1024 * 1024
# One request to the batch endpoint (documents_batch): at most this many documents, within the
# size above.
KB_BATCH_MAX_DOCUMENTS = env_int("KB_BATCH_MAX_DOCUMENTS", 500, minimum=1)
CHATKIT_KNOWLEDGE_STORES = env_list("CHATKIT_KNOWLEDGE_STORES", [])
# The languages a document's full-text index may be detected in (PostgreSQL text search
# configurations); a document in none of them is indexed without stemming (vectorstores.language).
KB_LANGUAGES = env_list("KB_LANGUAGES", ["english", "french"])

# --- Tools --------------------------------------------------------------------------------
# Open-Meteo endpoints; an air-gapped site points them at a mirror.
OPEN_METEO_GEOCODING_URL = env_str(
    "OPEN_METEO_GEOCODING_URL", "https://geocoding-api.open-meteo.com/v1/search"
)
OPEN_METEO_FORECAST_URL = env_str("OPEN_METEO_FORECAST_URL", "https://api.open-meteo.com/v1/forecast")
WEATHER_TIMEOUT_SECONDS = env_int("WEATHER_TIMEOUT_SECONDS", 5, minimum=1)
WEATHER_CACHE_SECONDS = env_int("WEATHER_CACHE_SECONDS", 600, minimum=0)
# A failed lookup is remembered this long, so retries do not each wait for the timeout again.
WEATHER_FAILURE_CACHE_SECONDS = env_int("WEATHER_FAILURE_CACHE_SECONDS", 30, minimum=0)
# The public weather endpoint calls an outside service: lookups allowed per client address.
WEATHER_THROTTLE_RATE = env_throttle_rate("WEATHER_THROTTLE_RATE", "60/min")
# "client": the browser looks the weather up (ChatKit client tool); "server": this server does.
CHATKIT_WEATHER_TOOL = env_choice("CHATKIT_WEATHER_TOOL", "client", ("client", "server"))

# --- MCP ------------------------------------------------------------------------------------
# stdio MCP servers run a command on this host: off unless the operator says so.
MCP_ALLOW_STDIO = env_bool("MCP_ALLOW_STDIO", False)
# The default assistant manages the user's tasks through this project's own /mcp endpoint.
CHATKIT_TASK_TOOLS = env_bool("CHATKIT_TASK_TOOLS", True)
# How the assistant reaches /mcp: empty (default) in process, through the same ASGI app (no
# network hop, nothing to configure behind a proxy); or a URL such as http://127.0.0.1:8000/mcp.
MCP_SELF_URL = env_str("MCP_SELF_URL", "")

# --- Voice (OpenAI Realtime) ----------------------------------------------------------------
CHATKIT_REALTIME_MODEL = env_str("CHATKIT_REALTIME_MODEL", "gpt-realtime")
CHATKIT_REALTIME_INSTRUCTIONS = env_str("CHATKIT_REALTIME_INSTRUCTIONS", "You are a helpful voice assistant.")
CHATKIT_REALTIME_VOICE = env_str("CHATKIT_REALTIME_VOICE", "alloy")
UPSTREAM_TIMEOUT_SECONDS = env_int("UPSTREAM_TIMEOUT_SECONDS", 15, minimum=1)

# --- Hosted ChatKit (Agent Builder workflows) ------------------------------------------------
CHATKIT_WORKFLOW_ID = env_optional("CHATKIT_WORKFLOW_ID")
CHATKIT_FORCE_HOSTED = env_bool("CHATKIT_FORCE_HOSTED", False)

# --- Chat page configuration (each value can be overridden in the admin) -------------------
# Unset values fall back to built-in texts in the visitor's language.
CHATKIT_GREETING = env_optional("CHATKIT_GREETING")
CHATKIT_PLACEHOLDER = env_optional("CHATKIT_PLACEHOLDER")
CHATKIT_STARTER_PROMPTS = [p.strip() for p in env_str("CHATKIT_STARTER_PROMPTS", "").split("|") if p.strip()]
CHATKIT_COLOR_SCHEME = env_choice("CHATKIT_COLOR_SCHEME", "light", ("light", "dark"))
CHATKIT_ACCENT_COLOR = env_str("CHATKIT_ACCENT_COLOR", "#0f62fe")

# --- Web UI -------------------------------------------------------------------------------
# The ChatKit web component; self-host the file and point this at it on restricted networks.
CHATKIT_JS_URL = env_str("CHATKIT_JS_URL", "https://cdn.platform.openai.com/deployments/chatkit/chatkit.js")
# Domain key registered with OpenAI for the site (any non-empty value works on localhost).
CHATKIT_DOMAIN_KEY = env_str("CHATKIT_DOMAIN_KEY", "domain_pk_localhost_dev")
# Offline mode only: milliseconds between streamed events, to pace answers like a provider
# (load tests, streaming demos); 0 sends them as fast as they are made.
OFFLINE_STREAM_DELAY_MS = env_int("OFFLINE_STREAM_DELAY_MS", 0, minimum=0)
# How long the page waits for the component before switching to the built-in client.
CHATKIT_LOAD_TIMEOUT_MS = env_int("CHATKIT_LOAD_TIMEOUT_MS", 5000, minimum=100)

# Django's own cap on bodies read into memory (request.body, form fields); the per-path
# limits of chatkit_site.bodylimit are the real bound and are all below this.
DATA_UPLOAD_MAX_MEMORY_SIZE = (
    max(REQUEST_MAX_BODY_BYTES, CHATKIT_MAX_REQUEST_BYTES, CHATKIT_MAX_UPLOAD_BYTES, KB_MAX_DOCUMENT_BYTES)
    + 1024 * 1024
)

# Pages (HTML) get this Content-Security-Policy; the ChatKit component's origin may load
# scripts, frames and styles, the realtime API may be reached by the voice page.
CONTENT_SECURITY_POLICY = env_optional("CONTENT_SECURITY_POLICY") or content_security_policy(
    chatkit_js_url=CHATKIT_JS_URL, extra_connect=["https://api.openai.com"]
)
