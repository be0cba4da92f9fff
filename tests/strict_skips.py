"""Under CI=true or CAUSERIE_ALL_ENGINES=1 a skipped test fails: CI cannot hide a missing piece.

Tests skip when an engine, model, binary or browser is absent, which is right on a
laptop and wrong in CI, where the set-up installed all of them. Only skips marked
`@pytest.mark.may_skip("<text of the skip reason>")` stay skips there: the marker
names the one reason that is allowed (a folder outside the repository, an optional
codec), so the same test skipping for anything else still fails.

Loaded by tests/conftest.py; a plugin module of its own so tests can run it in a
pytester session (tests/test_strict_skips.py).
"""

from __future__ import annotations

import os

import pytest

STRICT_VARS = ("CI", "CAUSERIE_ALL_ENGINES")


def strict() -> bool:
    return any(os.environ.get(var, "").strip().lower() not in {"", "0", "false", "no"} for var in STRICT_VARS)


def pytest_configure(config):
    config.addinivalue_line("markers", "may_skip(reason): this skip is legitimate even in CI; "
                                       "`reason` is matched against the skip's own reason")


def _reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:      # (path, line, "Skipped: why")
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _allowed(item, reason: str) -> bool:
    return any(allowed in reason for mark in item.iter_markers("may_skip") for allowed in mark.args)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.skipped and not hasattr(report, "wasxfail") and strict():
        reason = _reason(report)
        if not _allowed(item, reason):
            report.outcome = "failed"
            report.longrepr = (f"skipped in CI ({', '.join(v for v in STRICT_VARS if os.environ.get(v))} set), "
                               f"where the set-up installs everything: {reason}\n"
                               "install the missing piece, or mark a legitimate skip with "
                               "@pytest.mark.may_skip(\"<its reason>\")")
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    # A module-level pytest.skip(allow_module_level=True) skips a whole file at collection.
    report = yield
    if report.skipped and strict():
        report.outcome = "failed"
        report.longrepr = f"whole module skipped in CI: {_reason(report)}"
    return report
