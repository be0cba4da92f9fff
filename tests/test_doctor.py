"""`causerie doctor` on this machine, then on the same machine with pieces taken away."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from generator import doctor
from generator.doctor import FAIL, OK, WARN, Check, doctor_command, exit_code, run_checks
from generator.writing import models


def by_name(checks):
    return {c.name: c for c in checks}


@pytest.fixture
def no_embedded_model(monkeypatch):
    """The embedded default's packages are not installed (and the empty CAUSERIE_HOME holds no copy)."""
    spec = models.REGISTRY[models.EMBEDDED_DEFAULT]
    gone = models.ModelSpec(spec.name, spec.summary,
                            models.PackagedParts("causerie_absent_part{}", 2, "causerie-absent-part{}==1"),
                            spec.size_mb, spec.licence, spec.sha256, spec.quality)
    monkeypatch.setitem(models.REGISTRY, spec.name, gone)


def printed():
    console = Console(file=io.StringIO(), width=250, color_system=None)
    return doctor_command(console), console.file.getvalue()


def test_every_line_has_a_status_and_every_problem_a_fix():
    checks = run_checks()
    names = by_name(checks)
    for wanted in ("python", "ffmpeg", "ffprobe", "espeak-ng", "default speech engine", "llama.cpp", "gpu",
                   "memory", "coqui / torch", "prompts", "voices", "grammalecte", "cache folder"):
        assert wanted in names, wanted
    assert {f"model {name}" for name in models.REGISTRY} <= set(names)
    assert all(c.status in {OK, WARN, FAIL} and c.detail for c in checks)
    assert all(c.fix for c in checks if c.status != OK), [c for c in checks if c.status != OK and not c.fix]
    assert names["python"].status == OK and names["prompts"].status == OK
    assert "free" in names["cache folder"].detail
    assert exit_code(checks) == (1 if any(c.status == FAIL for c in checks) else 0)


def test_missing_embedded_model_fails_with_its_install_line(no_embedded_model):
    line = by_name(run_checks())[f"model {models.EMBEDDED_DEFAULT}"]
    assert line.status == FAIL and "not on this machine" in line.detail
    assert "causerie-absent-part1==1" in line.fix
    code, text = printed()
    assert code == 1
    assert "causerie-absent-part1==1" in text and " fail" in text


def test_a_pulled_better_model_makes_the_missing_embedded_one_a_warning(no_embedded_model):
    spec = models.REGISTRY["qwen2.5-7b"]
    spec.local_path.parent.mkdir(parents=True)
    spec.local_path.write_bytes(b"GGUF" + bytes(3 * 1024 * 1024))
    lines = by_name(run_checks())
    assert lines["model qwen2.5-7b"].status == OK and "3 MB" in lines["model qwen2.5-7b"].detail
    embedded = lines[f"model {models.EMBEDDED_DEFAULT}"]
    assert embedded.status == WARN and "qwen2.5-7b" in embedded.detail


def test_hub_models_not_pulled_are_warnings_with_the_pull_command():
    line = by_name(run_checks())["model mistral-7b"]     # CAUSERIE_HOME is an empty folder here
    assert line.status == WARN and "causerie models pull mistral-7b" in line.fix
    assert "Apache-2.0" in line.detail
    xtts = by_name(run_checks())["model xtts-v2"]
    assert xtts.status == WARN and "non-commercial" in xtts.fix


def test_without_ffmpeg_on_path_doctor_fails(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    lines = by_name(run_checks())
    assert lines["ffmpeg"].status == FAIL and "apt-get install ffmpeg" in lines["ffmpeg"].fix
    assert lines["espeak-ng"].status in {WARN, FAIL} and "espeak-ng" in lines["espeak-ng"].fix
    if lines["default speech engine"].status == FAIL:      # no kokoro either: espeak-ng was the floor
        assert lines["espeak-ng"].status == FAIL
    assert lines["gpu"].status == WARN
    assert printed()[0] == 1


def test_cache_folder_not_created_yet_is_fine(monkeypatch, tmp_path):
    monkeypatch.setenv("CAUSERIE_HOME", str(tmp_path / "a" / "b"))
    line = by_name(doctor.check_cache())["cache folder"]
    assert line.status == OK and "not created yet" in line.detail and "CAUSERIE_HOME" in line.detail


def test_a_crashing_check_is_reported_and_the_others_still_run(monkeypatch):
    def boom():
        raise RuntimeError("broken probe")

    monkeypatch.setattr(doctor, "check_memory", boom)
    lines = by_name(run_checks())
    assert lines["memory"].status == FAIL and "broken probe" in lines["memory"].detail
    assert lines["cache folder"].status in {OK, WARN}


def test_exit_code_is_1_only_on_a_failure():
    assert exit_code([Check("a", OK, "x"), Check("b", WARN, "y", "z")]) == 0
    assert exit_code([Check("a", OK, "x"), Check("b", FAIL, "y", "z")]) == 1


def test_ray_is_optional_and_its_line_says_what_batch_ray_will_do(monkeypatch):
    from importlib import metadata

    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    line = by_name(run_checks())["ray"]
    assert line.status == OK and line.detail.startswith(metadata.version("ray")) and "local instance" in line.detail
    monkeypatch.setenv("RAY_ADDRESS", "ray://head:10001")
    assert "ray://head:10001" in by_name(run_checks())["ray"].detail

    def absent(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", absent)
    line = by_name(run_checks())["ray"]
    assert line.status == OK and "not installed" in line.detail and "causerie[ray]" in line.detail
