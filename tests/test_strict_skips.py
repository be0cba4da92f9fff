"""The strict_skips plugin, run on a small test file in a pytester session."""

from __future__ import annotations

import pytest

TESTS = '''
import pytest

@pytest.mark.skipif(True, reason="espeak-ng not installed")
def test_marked_skip():
    pass

def test_runtime_skip():
    pytest.skip("embedded model packages not installed")

def test_importorskip():
    pytest.importorskip("causerie_no_such_module")

@pytest.mark.may_skip("this ffmpeg has no libopus")
def test_allowed_skip():
    pytest.skip("this ffmpeg has no libopus")

@pytest.mark.may_skip("this ffmpeg has no libopus")
def test_allowed_marker_other_reason():
    pytest.skip("ffmpeg not installed")

@pytest.mark.xfail(reason="known")
def test_expected_failure():
    assert False

def test_passes():
    pass
'''


@pytest.fixture
def run(pytester, monkeypatch):
    """Runs the file above under the given environment; returns {test name: (outcome, message)}."""
    pytester.makepyfile(test_inner=TESTS)
    # Only this plugin in the inner session (pytest-playwright's hooks cannot nest in-process).
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    for var in ("CI", "CAUSERIE_ALL_ENGINES"):
        monkeypatch.delenv(var, raising=False)

    def run(**env):
        for var, value in env.items():
            monkeypatch.setenv(var, value)
        recorder = pytester.inline_run("-p", "strict_skips")
        outcomes = {}
        for report in recorder.getreports("pytest_runtest_logreport"):
            name = report.nodeid.split("::")[-1]
            outcome = "xfailed" if hasattr(report, "wasxfail") else report.outcome
            if report.when == "call" or outcome != "passed":
                outcomes[name] = (outcome, str(report.longrepr or ""))
        return outcomes

    return run


LAPTOP = {"test_marked_skip": "skipped", "test_runtime_skip": "skipped", "test_importorskip": "skipped",
          "test_allowed_skip": "skipped", "test_allowed_marker_other_reason": "skipped",
          "test_expected_failure": "xfailed", "test_passes": "passed"}


def test_on_a_laptop_skips_stay_skips(run):
    assert {name: outcome for name, (outcome, _) in run().items()} == LAPTOP


@pytest.mark.parametrize("env", [{"CAUSERIE_ALL_ENGINES": "1"}, {"CI": "true"}])
def test_in_ci_a_skip_for_a_missing_piece_fails(run, env):
    outcomes = run(**env)
    assert {name: outcome for name, (outcome, _) in outcomes.items()} == {
        **LAPTOP, "test_marked_skip": "failed", "test_runtime_skip": "failed", "test_importorskip": "failed",
        "test_allowed_marker_other_reason": "failed"}
    for name, reason in [("test_marked_skip", "espeak-ng not installed"),
                         ("test_runtime_skip", "embedded model packages not installed"),
                         ("test_importorskip", "causerie_no_such_module"),
                         ("test_allowed_marker_other_reason", "ffmpeg not installed")]:
        message = outcomes[name][1]
        assert reason in message and "may_skip" in message, message


def test_ci_false_is_not_strict(run):
    assert {name: outcome for name, (outcome, _) in run(CI="false", CAUSERIE_ALL_ENGINES="0").items()} == LAPTOP


def test_a_module_skipped_whole_fails_in_ci(pytester, monkeypatch):
    pytester.makepyfile(test_mod='import pytest\npytest.skip("coqui-tts not installed", allow_module_level=True)\n')
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.delenv("CAUSERIE_ALL_ENGINES", raising=False)
    monkeypatch.setenv("CI", "true")
    result = pytester.runpytest_inprocess("-p", "strict_skips")
    result.assert_outcomes(errors=1)
    assert "coqui-tts not installed" in result.stdout.str()
