# The two commands of the README. Both install everything first (idempotent).
#   make demo   → set-up, then a French episode (script + MP3) from examples/four-solaire-odeillo.md
#   make test   → set-up with test extras, then the whole test suite
.PHONY: demo test setup setup-test bench clean

PYTEST_ARGS ?=
BENCH_ARGS ?=

setup:
	@tools/setup.sh

setup-test:
	@tools/setup.sh --test

demo: setup
	.venv/bin/causerie generate examples/four-solaire-odeillo.md -o episodes --minutes 2

test: setup-test
	CAUSERIE_ALL_ENGINES=1 .venv/bin/python -m pytest -q $(PYTEST_ARGS)

bench: setup-test
	@[ -f bench/docs/debian-reference.fr.txt ] && [ -f bench/docs/debian-reference-ch10.fr.html ] || bench/fetch_docs.sh
	.venv/bin/python bench/bench_speed.py $(BENCH_ARGS)

clean:
	rm -rf episodes .pytest_cache
