"""The yardstick of `make bench`: Django with no apps, no middleware and no database.

Served by gunicorn with the same prakerja/gunicorn.conf.py as the platform,
so the difference between its hello and /bench/hello is what the platform's
middleware stack (and its session, user and log work) costs a request.
"""

SECRET_KEY = "bench-bare-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105 - loopback bench only
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
ROOT_URLCONF = "bench.bare.urls"
WSGI_APPLICATION = "bench.bare.wsgi.application"
USE_TZ = True
TIME_ZONE = "UTC"
