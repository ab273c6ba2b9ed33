# The two commands a new developer needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench mutants install migrate demo messages lock clean check-deploy

$(STAMP): requirements-dev.txt requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	@$(BIN)/python manage.py demo_banner
	$(BIN)/honcho start -f Procfile

test: install
	bash scripts/test.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/djlint prakerja/templates prakerja/registry/templates prakerja/waves/templates prakerja/selection/templates prakerja/sandbox/templates --lint --quiet
	$(BIN)/bandit -q -r prakerja -ll

bench: install
	$(BIN)/python -m bench.run

# Mutation testing of the money and the selection ([tool.mutmut] in pyproject.toml); hours at full size.
# MUTANTS narrows it, e.g. MUTANTS='prakerja.ledger.services.x_ledger_post*'. Needs PostgreSQL.
mutants: install
	DATABASE_URL=$${MUTANTS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/prakerja_mutants} \
		$(BIN)/mutmut run --max-children 1 $(MUTANTS)
	$(BIN)/mutmut results

messages: install
	$(BIN)/python manage.py makemessages -l id --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	$(BIN)/python scripts/compile_messages.py

check-deploy: install
	PRAKERJA_ENV=production DEBUG=false SECRET_KEY=$$($(BIN)/python -c 'import secrets;print(secrets.token_urlsafe(64))') \
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
	ALLOWED_HOSTS=prakerja.example.id PERSONAL_DATA_INDEX_KEY=$$($(BIN)/python -c 'import secrets;print(secrets.token_urlsafe(32))') \
	SMS_GATEWAY_URL=https://sms.example.id/send SMS_GATEWAY_API_KEY=check-deploy-sms-key \
	CIVIL_REGISTRY_URL=https://dukcapil.example.id/verify CIVIL_REGISTRY_API_KEY=check-deploy-civil-key \
	EMAIL_HOST=smtp.example.id EMAIL_PORT=587 SITE_URL=https://prakerja.example.id \
	PERSONAL_DATA_KEYS=$$($(BIN)/python -c 'from cryptography.fernet import Fernet;print(Fernet.generate_key().decode())') \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Regenerate the pinned requirements from pyproject.toml in a scratch venv.
lock:
	rm -rf var/lockenv && $(PY) -m venv var/lockenv
	var/lockenv/bin/pip install --quiet .
	var/lockenv/bin/pip freeze --exclude prakerja > requirements.txt
	var/lockenv/bin/pip install --quiet '.[dev]'
	(echo '-r requirements.txt'; var/lockenv/bin/pip freeze --exclude prakerja | grep -vxFf requirements.txt) > requirements-dev.txt
	rm -rf var/lockenv build *.egg-info

clean:
	rm -rf var/*.sqlite3* var/static var/media
