"""Settings of the sandbox process: the stand-in for outside systems.

It is a separate process with its own database so that it can only reach
the platform the way the real systems do, over SMTP and HTTP.
"""

import os
from pathlib import Path

from prakerja.env import env_int, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SECRET_KEY = "sandbox-only-not-a-secret"  # noqa: S105 - signs nothing of value
DEBUG = os.environ.get("SANDBOX_DEBUG", "false").lower() == "true"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
INSTALLED_APPS = ["django.contrib.contenttypes", "prakerja.sandbox"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "prakerja.sandbox.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True, "OPTIONS": {}}]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SANDBOX_DB", str(BASE_DIR / "var" / "sandbox.sqlite3")),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Asia/Jakarta"
USE_I18N = False
SMS_API_KEY = os.environ.get("SANDBOX_SMS_API_KEY", "sandbox-sms-key")
DUKCAPIL_API_KEY = os.environ.get("SANDBOX_DUKCAPIL_API_KEY", "sandbox-dukcapil-key")
# A population generated on first start when none is loaded (families, seed).
DEFAULT_FAMILIES = int(os.environ.get("SANDBOX_FAMILIES", "2000"))
DEFAULT_SEED = int(os.environ.get("SANDBOX_SEED", "2026"))
# The demo storefront (/shop/, prakerja/sandbox/shop.py): the platform Tokopedia calling the partner API over HTTP.
# The secret is demo data's public one (docs/partner-api.md's test vector); SANDBOX_SHOP_SECRET_FILE also works.
SHOP_API_URL = env_str("SANDBOX_SHOP_API_URL", "http://127.0.0.1:8000/api/partner/v1").rstrip("/")
SHOP_CLIENT_CODE = env_str("SANDBOX_SHOP_CLIENT_CODE", "tokopedia")
SHOP_SECRET = env_str("SANDBOX_SHOP_SECRET", "sandbox-secret")
SHOP_API_TIMEOUT = env_int("SANDBOX_SHOP_API_TIMEOUT", 10)
SHOP_CATALOGUE = env_str("SANDBOX_SHOP_CATALOGUE", str(Path(__file__).resolve().parent / "data/shop_tokopedia.json"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
}
