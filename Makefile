# Every target creates the environment it needs from requirements.lock first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The project's message catalogue (sentence case for allauth's pages), compiled with Babel.
MO := locale/en/LC_MESSAGES/django.mo
BENCH ?=

.PHONY: install demo test test-clock lint format bench screenshots lock clean

install: $(STAMP) $(MO)

$(STAMP): requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $(STAMP)

$(MO): locale/en/LC_MESSAGES/django.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

demo: $(STAMP) $(MO)
	$(BIN)/python manage.py demo

test: lint
	$(BIN)/pytest

# The suite again with the clock just after and just before midnight UTC: nothing may depend
# on the hour (tests that start other processes are skipped; .ci/run runs this too). The two
# passes run side by side, each on its own database, cache and broker (tests/clock.py).
test-clock: $(STAMP) $(MO)
	$(BIN)/python -m tests.clock 00:00:30 23:59:30

lint: $(STAMP) $(MO)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/djlint templates --check
	$(BIN)/djlint templates --lint

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djlint templates --reformat --quiet || [ $$? -eq 1 ]  # 1: it changed something

bench: $(STAMP) $(MO)
	$(BIN)/python -m bench $(BENCH)

# The main pages at desktop and phone width, from a fresh demo state, into docs/screenshots/
# (needs Debian's chromium, as the browser tests do). Re-run it whenever pages change.
screenshots: $(STAMP) $(MO)
	E2E_REQUIRED=1 $(BIN)/pytest -q -p no:cacheprovider tests/e2e/shoot_screenshots.py

# Re-pin every dependency after a change to pyproject.toml.
lock:
	$(PYTHON) -m venv var/piptools && var/piptools/bin/pip install --quiet pip-tools==7.6.2
	var/piptools/bin/pip-compile --quiet --extra dev --strip-extras --no-header \
		--no-emit-find-links --no-emit-index-url -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) var
