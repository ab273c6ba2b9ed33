"""Settings for the Prakerja platform.

With no environment variables set this is the embedded default: SQLite (WAL)
under var/, SqliteHuey, a local-memory cache and files under var/.
DATABASE_URL (PostgreSQL) and REDIS_URL (cache, sessions, queue) switch to
the production stack. PRAKERJA_ENV=production refuses unsafe values.
docs/operations.md lists every variable.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from prakerja.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PRAKERJA_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

PRAKERJA_ENV = env_choice("PRAKERJA_ENV", ("development", "test", "production"), "development")
PRODUCTION = PRAKERJA_ENV == "production"

_DEFAULT_SECRET_KEY = "dev-insecure-prakerja-secret-key-change-me-0123456789abcdef"
SECRET_KEY = env_str("SECRET_KEY", _DEFAULT_SECRET_KEY)
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "prakerja.accounts",
    "prakerja.audit",
    "prakerja.notifications",
    "prakerja.programme",
    "prakerja.regions",
    "prakerja.civil",
    "prakerja.registry",
    "prakerja.ledger",
    "prakerja.waves",
    "prakerja.induction",
    "prakerja.cards",
    "prakerja.selection",
    "prakerja.partners",
    "prakerja.catalog",
    "prakerja.learning",
    "prakerja.complaints",
    "prakerja.stats",
    "prakerja.backoffice",
    "prakerja.retention",
    "prakerja.mydata",
    "prakerja.web",
    "prakerja.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "huey.contrib.djhuey",
    "django_structlog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "prakerja.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "prakerja.web.middleware.CSPMiddleware",  # django-csp's, the policy built once
    "allauth.account.middleware.AccountMiddleware",
    "prakerja.accounts.middleware.StaffSecondFactorMiddleware",
    "prakerja.audit.middleware.DeniedAuditMiddleware",  # a staff member's 403 is audited
    "prakerja.web.middleware.RequestLogMiddleware",  # django-structlog's, one line per request
]

MESSAGE_STORAGE = "prakerja.web.messages.LazyFallbackStorage"
ROOT_URLCONF = "prakerja.urls"
WSGI_APPLICATION = "prakerja.wsgi.application"

FORM_RENDERER = "prakerja.web.forms.FormRenderer"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "prakerja" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "prakerja.notifications.context_processors.unread",
            ],
        },
    },
]

# --- database -------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        # A health check is a round trip before each request's first query,
        # about 5% of a signed-in page's CPU (make bench). Without it, a
        # connection broken by a database restart fails one request and is
        # then replaced; DB_HEALTH_CHECKS=true trades the round trip for
        # that request (docs/operations.md).
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60,
                                         conn_health_checks=env_bool("DB_HEALTH_CHECKS", default=False))
    }
    # Behind PgBouncer in transaction mode a server-side cursor (streamed CSVs) must be turned off.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DB_DISABLE_SERVER_SIDE_CURSORS", default=False)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "prakerja.sqlite3",
            "OPTIONS": {
                # WAL lets readers run while one writer writes; IMMEDIATE takes
                # the write lock at BEGIN so two writers queue on busy_timeout
                # instead of failing with "database is locked" mid-transaction.
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1
SITE_NAME = env_str("SITE_NAME", "Prakerja")
SITE_DOMAIN = env_str("SITE_DOMAIN", "127.0.0.1:8000")
# The public address, for links that leave the site: certificate checks (QR codes, PDFs), messages.
SITE_URL = env_str("SITE_URL", f"http://{SITE_DOMAIN}").rstrip("/")

# --- cache, sessions, queue ------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "prakerja.cache.PooledRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "prakerja",
        }
    }
    # The cache is shared by every web process, so a cached session is
    # invalidated everywhere at logout; the database copy survives a flush.
    # cached_db, with a sign-in's new session written once, not created then updated (prakerja/accounts/sessions.py).
    SESSION_ENGINE = "prakerja.accounts.sessions"
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "prakerja",
        "url": REDIS_URL,
        "immediate": False,
        "utc": True,
    }
else:
    # The local-memory cache lives in one process: `make run` serves the
    # embedded default from one gunicorn worker with threads so that rate
    # limits and cached values are shared by every request.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "prakerja",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
        "utc": True,
    }
HUEY["immediate"] = env_bool("HUEY_IMMEDIATE", default=False)
HUEY["consumer"] = {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"}

# "Ingat Saya" (REG-2): a remembered session lasts 30 days; an unticked box
# makes allauth set the expiry to 0, so the cookie ends with the browser.
SESSION_COOKIE_AGE = 30 * 24 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- accounts ----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# One backend: allauth's, loading the signed-in user without the ORM's compiler
# (prakerja/accounts/backends.py says why not Django's ModelBackend beside it).
AUTHENTICATION_BACKENDS = ["prakerja.accounts.backends.AuthenticationBackend"]
# Django picks the verifier by algorithm name, the last listed winning: a second
# "argon2" entry here would verify every hash outside the gate (hashers.py).
# Ours verifies Argon2 hashes of any parameters and upgrades them on login.
PASSWORD_HASHERS = [
    "prakerja.accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

ACCOUNT_ADAPTER = "prakerja.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "prakerja.accounts.forms.SignupForm"
ACCOUNT_FORMS = {"login": "prakerja.accounts.login_form.LoginForm"}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Prakerja] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# REG-2: an optional 6-digit code by email after the password, at most 5
# resends, then a 2-hour wait (the rate limit on requesting a code).
LOGIN_CODE_REQUIRED = env_bool("PRAKERJA_LOGIN_CODE", default=False)
ACCOUNT_LOGIN_BY_CODE_ENABLED = LOGIN_CODE_REQUIRED
ACCOUNT_LOGIN_BY_CODE_REQUIRED = {"password"} if LOGIN_CODE_REQUIRED else False
ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = 5
ACCOUNT_LOGIN_BY_CODE_FORMAT = {"length": 6, "numeric": True, "dashed": False}
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
# Who the client is behind our load balancers (docs/operations.md): the
# number of proxies that append to X-Forwarded-For, or one header a balancer
# sets. Rate limits, allauth and the request log all use
# prakerja.core.http.client_ip, which reads these.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER", "")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = CLIENT_IP_HEADER or None
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False  # ipware guesses; web.receivers binds client_ip instead
# Failed logins: "key" is (client, account) (AccountAdapter), so a stranger
# elsewhere cannot lock an account out; a client that sprays many accounts
# meets the per-client limit.
ACCOUNT_RATE_LIMITS = {
    "login": env_str("RATE_LIMIT_LOGIN", "30/m/ip"),
    "login_failed": env_str("RATE_LIMIT_LOGIN_FAILED", "20/m/ip,5/5m/key"),
    "signup": env_str("RATE_LIMIT_SIGNUP", "10/m/ip"),
    "reset_password": "20/m/ip,5/m/key",
    "request_login_code": "20/m/ip,6/2h/key",
    # The password asked again before the card number shows (CRD-1).
    "reauthenticate": env_str("RATE_LIMIT_REAUTHENTICATE", "10/m/ip,5/15m/user"),
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Prakerja"

# --- i18n ----------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "prakerja" / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"  # shown in WIB; stored in UTC (USE_TZ)
USE_TZ = True

# --- static and files -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "prakerja" / "static"]
# KTP photos and selfies. The default is files under var/private; set
# PRIVATE_STORAGE_BACKEND=s3 for an S3-compatible bucket (objects private,
# reached only through the platform's permission-checked view).
if env_choice("PRIVATE_STORAGE_BACKEND", ("filesystem", "s3"), "filesystem") == "s3":
    PRIVATE_STORAGE = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": env_str("PRIVATE_S3_BUCKET"), "endpoint_url": env_str("PRIVATE_S3_ENDPOINT_URL"),
        "access_key": env_str("PRIVATE_S3_ACCESS_KEY"), "secret_key": env_str("PRIVATE_S3_SECRET_KEY"),
        "region_name": env_str("PRIVATE_S3_REGION"), "default_acl": "private", "querystring_auth": True,
        "file_overwrite": False}}
else:
    PRIVATE_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                       "OPTIONS": {"location": str(VAR_DIR / "private")}}
STORAGES = {
    # Operators' uploads that are not personal data (the induction videos): with
    # several web machines MEDIA_DIR must be a volume they share.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": env_str("MEDIA_DIR", str(VAR_DIR / "media"))}},
    # Photos of people: served only through a permission-checked view.
    "private": PRIVATE_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
PRIVATE_MEDIA_ROOT = VAR_DIR / "private"

# --- personal data at rest (PRV) ---------------------------------------------------
# Fernet keys, newest first (new writes use the first; all decrypt), and the
# HMAC key of the blind index. The embedded default derives both from
# SECRET_KEY; production must set them (the guard below refuses otherwise).
from prakerja.registry.crypto import dev_key  # noqa: E402

PERSONAL_DATA_KEYS = env_list("PERSONAL_DATA_KEYS", [dev_key("personal-data", SECRET_KEY)])
PERSONAL_DATA_INDEX_KEY = env_str("PERSONAL_DATA_INDEX_KEY", dev_key("blind-index", SECRET_KEY))
# --- the card (CRD-1) ------------------------------------------------------------------
# Card numbers: this prefix, random digits from the OS's CSPRNG, a Luhn check
# digit; 16 digits in all. "9" is ISO/IEC 7812's "national use" industry.
CARD_NUMBER_PREFIX = env_str("CARD_NUMBER_PREFIX", "9")
if not (CARD_NUMBER_PREFIX.isdigit() and 1 <= len(CARD_NUMBER_PREFIX) <= 6):
    raise ImproperlyConfigured("CARD_NUMBER_PREFIX must be 1 to 6 digits (at least 9 random digits must remain)")
# Reminders before the first-purchase deadline go out at this hour, WIB (CRD-5).
CARD_REMINDER_HOUR_WIB = env_int("CARD_REMINDER_HOUR_WIB", 9)

# --- help contacts on the public home page (issue 21) ---------------------------------------------
# Shown under "Help and complaints" when set; a contact left empty is not shown.
HELP_EMAIL = env_str("HELP_EMAIL", "pengaduan@prakerja.test")
HELP_PHONE = env_str("HELP_PHONE", "")
HELP_HOURS = env_str("HELP_HOURS", "")  # for example "Senin-Jumat 08.00-17.00 WIB"; shown as given

# --- complaints (CMP-1..3) ------------------------------------------------------------------------
# Hours within which the desk answers, per category, when the admin has no ResponseTarget row for it.
COMPLAINT_RESPONSE_HOURS = {"default": 72, "certificate": 48, "purchase": 48, "incentive": 48,
                            "payout_account": 48}
# A resolved ticket nobody reopened closes after this many days; a ticket's emailed link lives this long.
COMPLAINT_CLOSE_AFTER_DAYS = env_int("COMPLAINT_CLOSE_AFTER_DAYS", 7)
COMPLAINT_LINK_DAYS = env_int("COMPLAINT_LINK_DAYS", 90)
# Complaints sent, per account, per email address and per client address (CMP-1, a flood).
COMPLAINTS_PER_ACCOUNT_PER_DAY = env_int("COMPLAINTS_PER_ACCOUNT_PER_DAY", 5)
COMPLAINTS_PER_EMAIL_PER_DAY = env_int("COMPLAINTS_PER_EMAIL_PER_DAY", 5)
COMPLAINTS_PER_CLIENT_PER_HOUR = env_int("COMPLAINTS_PER_CLIENT_PER_HOUR", 20)
# Evidence: files per complaint or reply, and the PDF limits (images follow the KTP photo rules).
COMPLAINT_EVIDENCE_FILES = 3
COMPLAINT_PDF_MAX_BYTES = 5 * 1024 * 1024
COMPLAINT_PDF_MAX_PAGES = 20

# --- retention (PRV-8; prakerja/retention/services.py) ----------------------------------------
# NEVER_SELECTED_AFTER_DAYS: a registrant who never passed a selection is anonymised this long after the
# announcement of their last wave (after signing up if they never joined). PHOTOS_AFTER_DAYS: KTP photo and
# selfie are deleted this long after the identity was verified. An open complaint, a card balance or an
# undecided application postpones (prakerja/retention/postponements.py). BATCH_SIZE: people per audited batch.
RETENTION = {
    "ENABLED": env_bool("RETENTION_ENABLED", True),
    "NEVER_SELECTED_AFTER_DAYS": env_int("RETENTION_NEVER_SELECTED_AFTER_DAYS", 730),
    "PHOTOS_AFTER_DAYS": env_int("RETENTION_PHOTOS_AFTER_DAYS", 90),
    "BATCH_SIZE": env_int("RETENTION_BATCH_SIZE", 1000),
}
if min(RETENTION["NEVER_SELECTED_AFTER_DAYS"], RETENTION["PHOTOS_AFTER_DAYS"], RETENTION["BATCH_SIZE"]) < 1:
    raise ImproperlyConfigured("RETENTION_* days and batch size must be at least 1")

# --- partners and the partner API (TRN-1, TRN-2; docs/partner-api.md) ------------------------
# A signed request's X-Timestamp may be this far from our clock, either way.
PARTNER_TIMESTAMP_TOLERANCE = 300
# After a rotation the old secret keeps verifying this long.
PARTNER_SECRET_GRACE = timedelta(hours=env_int("PARTNER_SECRET_GRACE_HOURS", 24))
# Per partner, every call; and card lookups that found no card (guessing), per partner.
PARTNER_CALLS_PER_MINUTE = env_int("PARTNER_CALLS_PER_MINUTE", 60000)
# The public certificate check (TRN-4): lookups of a number, and PDFs rendered, per client address.
CERTIFICATE_CHECKS_PER_MINUTE = env_int("CERTIFICATE_CHECKS_PER_MINUTE", 30)
CERTIFICATE_PDFS_PER_MINUTE = env_int("CERTIFICATE_PDFS_PER_MINUTE", 10)
PARTNER_CARD_MISSES_PER_10_MINUTES = env_int("PARTNER_CARD_MISSES_PER_10_MINUTES", 50)
# The first answer to each POST is kept this long for replays, then pruned (partners.prune_idempotency_records).
PARTNER_IDEMPOTENCY_DAYS = env_int("PARTNER_IDEMPOTENCY_DAYS", 7)
# TRN-2: the payment OTP (SMS), kept as an HMAC under this key (a password hasher would cap throughput).
PAYMENT_OTP_LIFETIME = timedelta(minutes=5)
PAYMENT_OTP_MAX_WRONG = 3
PAYMENT_OTP_KEY = env_str("PAYMENT_OTP_KEY", dev_key("payment-otp", SECRET_KEY))
# Webhooks to platforms: a timeout per attempt, and when to give up.
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 12)
# Seconds before attempt n+1: base * 2**(n-1), capped (12 attempts span about 14 hours).
WEBHOOK_BACKOFF_BASE = env_int("WEBHOOK_BACKOFF_BASE", 30)
WEBHOOK_BACKOFF_CAP = env_int("WEBHOOK_BACKOFF_CAP", 6 * 3600)
# A webhook URL is partner data, not configuration: in production one that resolves to a loopback,
# private, link-local or otherwise non-public address is refused (it would let a partner's setting
# reach our own network); the sandbox's loopback URLs work everywhere else.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", not PRODUCTION)

# KTP photos and selfies: private storage, never under MEDIA_URL.
PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Pixel caps keep decoding under 100 MiB a request (registry/photos.py;
# measured by tests/registry/test_photo_memory.py).
PHOTO_MAX_PIXELS = 40_000_000  # baseline JPEG, decoded at reduced scale: above any phone camera
# Progressive JPEG: libjpeg holds every DCT coefficient (3 to 8 bytes a pixel)
# besides the decoded pixels; both together must fit.
PHOTO_MAX_PROGRESSIVE_BYTES = 64 * 1024 * 1024
PHOTO_MAX_PNG_PIXELS = 16_000_000  # PNG: decoded at full size, 4 bytes a pixel
PHOTO_MAX_SIDE = 2000  # stored size: enough to read a KTP
# Personal-data saves that carry photos: each costs a decode.
PHOTO_UPLOADS_PER_ACCOUNT_PER_HOUR = env_int("PHOTO_UPLOADS_PER_ACCOUNT_PER_HOUR", 10)
# A multipart body larger than two photos and the text fields is refused
# before any of it is read; a file part is no longer read once it passes
# PHOTO_MAX_BYTES (registry/uploads.py).
UPLOAD_MAX_BODY_BYTES = 2 * PHOTO_MAX_BYTES + 256 * 1024
FILE_UPLOAD_HANDLERS = ["prakerja.registry.uploads.PhotoUploadLimitHandler",
                        "django.core.files.uploadhandler.MemoryFileUploadHandler",
                        "django.core.files.uploadhandler.TemporaryFileUploadHandler"]
# A refused upload leaves the CSRF token unread; this view tells the person
# why (413) and otherwise is Django's own.
CSRF_FAILURE_VIEW = "prakerja.registry.uploads.csrf_failure"
# REG-5: SMS codes.
OTP_LIFETIME = timedelta(minutes=5)
OTP_MAX_WRONG = 3
OTP_LOCK = timedelta(hours=1)
OTP_MAX_SENDS = 5  # per phone verification, then the lock
OTP_RESEND_AFTER = timedelta(seconds=60)
# Abuse limits (issue 14): every code costs the programme an SMS, and every
# identity check spends the shared Dukcapil budget and answers a question
# about someone's data. Per account across all numbers, and per client.
OTP_SENDS_PER_ACCOUNT_PER_DAY = env_int("OTP_SENDS_PER_ACCOUNT_PER_DAY", 10)
OTP_SENDS_PER_CLIENT_PER_HOUR = env_int("OTP_SENDS_PER_CLIENT_PER_HOUR", 60)
IDENTITY_SUBMITS_PER_ACCOUNT_PER_DAY = env_int("IDENTITY_SUBMITS_PER_ACCOUNT_PER_DAY", 5)
IDENTITY_SUBMITS_PER_CLIENT_PER_HOUR = env_int("IDENTITY_SUBMITS_PER_CLIENT_PER_HOUR", 60)

# --- email and SMS ---------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 8025)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Prakerja <noreply@prakerja.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Email and SMS each have their own circuit breaker and per-second limit
# (prakerja.core.outside), shared by all workers through the cache: set the
# rate to what the relay or provider allows us.
EMAIL_RATE_PER_SECOND = env_int("EMAIL_RATE_PER_SECOND", 50)
EMAIL_BREAKER_FAILURES = env_int("EMAIL_BREAKER_FAILURES", 5)
EMAIL_BREAKER_COOLDOWN = env_int("EMAIL_BREAKER_COOLDOWN", 30)

SANDBOX_URL = env_str("SANDBOX_URL", "http://127.0.0.1:8001")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", f"{SANDBOX_URL}/sms/send")
_SANDBOX_SMS_KEY, _SANDBOX_CIVIL_KEY = "sandbox-sms-key", "sandbox-dukcapil-key"
SMS_GATEWAY_API_KEY = env_str("SMS_GATEWAY_API_KEY", _SANDBOX_SMS_KEY)
SMS_GATEWAY_TIMEOUT = env_int("SMS_GATEWAY_TIMEOUT", 5)
SMS_SENDER_ID = env_str("SMS_SENDER_ID", "PRAKERJA")
SMS_GATEWAY_RATE_PER_SECOND = env_int("SMS_GATEWAY_RATE_PER_SECOND", 50)
SMS_GATEWAY_BREAKER_FAILURES = env_int("SMS_GATEWAY_BREAKER_FAILURES", 5)
SMS_GATEWAY_BREAKER_COOLDOWN = env_int("SMS_GATEWAY_BREAKER_COOLDOWN", 30)

# Civil registry (Dukcapil) adapter: a ministry API answers tens of requests
# a second, not thousands, so the client limits itself and opens a circuit
# after repeated failures instead of queueing timeouts.
CIVIL_REGISTRY_URL = env_str("CIVIL_REGISTRY_URL", f"{SANDBOX_URL}/dukcapil/verify")
CIVIL_REGISTRY_API_KEY = env_str("CIVIL_REGISTRY_API_KEY", _SANDBOX_CIVIL_KEY)
CIVIL_REGISTRY_TIMEOUT = env_int("CIVIL_REGISTRY_TIMEOUT", 5)
CIVIL_REGISTRY_RETRIES = env_int("CIVIL_REGISTRY_RETRIES", 2)
CIVIL_REGISTRY_RATE_PER_SECOND = env_int("CIVIL_REGISTRY_RATE_PER_SECOND", 20)
CIVIL_REGISTRY_BREAKER_FAILURES = env_int("CIVIL_REGISTRY_BREAKER_FAILURES", 5)
CIVIL_REGISTRY_BREAKER_COOLDOWN = env_int("CIVIL_REGISTRY_BREAKER_COOLDOWN", 30)

# Notifications: attempts before a message is marked failed, and the backoff
# (seconds) before attempt n+1 is base * 2**n, capped.
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 8)
NOTIFY_BACKOFF_BASE = env_int("NOTIFY_BACKOFF_BASE", 30)
NOTIFY_BACKOFF_CAP = env_int("NOTIFY_BACKOFF_CAP", 3600)
# A message claimed by a worker that died is retried after this lease.
NOTIFY_LEASE = timedelta(seconds=env_int("NOTIFY_LEASE_SECONDS", 120))

# --- security -----------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# bench/ only: a hello-world view to compare pages against. Never in production.
BENCH_ENDPOINTS = env_bool("PRAKERJA_BENCH", default=False) and not PRODUCTION

# --- logging -----------------------------------------------------------------------------
LOG_FORMAT = env_choice("LOG_FORMAT", ("json", "console"), "json" if PRODUCTION else "console")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
from prakerja.logging import configure_logging  # noqa: E402

LOGGING_CONFIG = None
configure_logging(fmt=LOG_FORMAT, level=LOG_LEVEL)
DJANGO_STRUCTLOG_CELERY_ENABLED = False
# One request log line: request_finished (request, code, user agent,
# request_id, user_id, ip). request_started only at LOG_LEVEL=DEBUG.
DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL = 10  # logging.DEBUG

# --- the production guard ------------------------------------------------------------------
SANDBOX_PORTS = {8001, 8025}  # `make run`'s sandbox: HTTP and SMTP


def _sandbox_endpoint_problems(endpoints: dict) -> list[str]:
    """Outside systems on loopback or the sandbox's ports are the sandbox, not a provider."""
    import ipaddress
    from urllib.parse import urlsplit

    problems = []
    for name, url in endpoints.items():
        parts = urlsplit(url or "")
        host = (parts.hostname or "").lower()
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host.endswith(".localhost")
        try:
            port = parts.port
        except ValueError:
            port = None
        if not host or loopback or port in SANDBOX_PORTS:
            problems.append(f"{name} must point at the real provider, not loopback or the sandbox ({url})")
    return problems


def _personal_data_key_problems(keys: list[str], index_key: str) -> list[str]:
    import base64
    import binascii

    problems = []
    for position, key in enumerate(keys, 1):
        try:
            raw = base64.urlsafe_b64decode(key.encode())
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            problems.append(f"PERSONAL_DATA_KEYS key {position} is not a 32-byte Fernet key")
    if len(index_key.encode()) < 32:
        problems.append("PERSONAL_DATA_INDEX_KEY must be at least 32 bytes")
    return problems


if PRODUCTION:
    problems = []
    if SECRET_KEY == _DEFAULT_SECRET_KEY or len(SECRET_KEY or "") < 50:
        problems.append("SECRET_KEY must be set to a long random value")
    if DEBUG:
        problems.append("DEBUG must be off")
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL must point at PostgreSQL (SQLite is for the embedded default)")
    if not REDIS_URL:
        problems.append("REDIS_URL must be set (shared cache, sessions and queue)")
    if not SITE_URL.startswith("https://"):
        problems.append("SITE_URL must be the public https address (certificates print it)")
    if not env_str("PERSONAL_DATA_KEYS") or not env_str("PERSONAL_DATA_INDEX_KEY"):
        problems.append("PERSONAL_DATA_KEYS and PERSONAL_DATA_INDEX_KEY must be set")
    else:
        problems += _personal_data_key_problems(PERSONAL_DATA_KEYS, PERSONAL_DATA_INDEX_KEY)
    problems += _sandbox_endpoint_problems({
        "SMS_GATEWAY_URL": SMS_GATEWAY_URL, "CIVIL_REGISTRY_URL": CIVIL_REGISTRY_URL,
        "EMAIL_HOST": f"smtp://{EMAIL_HOST}:{EMAIL_PORT}"})
    for name, value, sandbox_value in (("SMS_GATEWAY_API_KEY", SMS_GATEWAY_API_KEY, _SANDBOX_SMS_KEY),
                                       ("CIVIL_REGISTRY_API_KEY", CIVIL_REGISTRY_API_KEY, _SANDBOX_CIVIL_KEY)):
        if not value or value == sandbox_value:
            problems.append(f"{name} must be the provider's key, not the sandbox's")
    if problems:
        raise ImproperlyConfigured("PRAKERJA_ENV=production refuses to start: " + "; ".join(problems))
