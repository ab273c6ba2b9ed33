#!/usr/bin/env bash
# `make test`: the whole suite. With CI=true it runs against PostgreSQL and
# Redis (and fails, not skips, when either is missing), plus the static
# checks: migrations, ruff, bandit, translations and the production settings check.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

if [ "${CI:-}" = "true" ]; then
  export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/prakerja}"
  export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
  echo "== static checks"
  DATABASE_URL= $BIN/python manage.py makemigrations --check --dry-run
  DJANGO_SETTINGS_MODULE=prakerja.sandbox.settings $BIN/python -m django makemigrations --check --dry-run
  $BIN/ruff check .
  $BIN/bandit -q -r prakerja -ll
  $BIN/python scripts/compile_messages.py --check
  make --no-print-directory check-deploy
fi

echo "== test suite (database: ${DATABASE_URL:-sqlite})"
$BIN/python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile "$@"

if [ "${CI:-}" = "true" ]; then
  # Every feature must work on the embedded default too.
  echo "== test suite again on SQLite (browser tests ran above)"
  DATABASE_URL= PRAKERJA_TEST_SQLITE_PASS=1 $BIN/python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile -m "not browser" -q "$@"
fi
