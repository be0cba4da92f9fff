"""`causerie config show`: each effective setting with the file or variable it came from."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from generator.config import load_settings, settings_with_origins
from generator.config_show import config_show_command, effective_rows
from generator.errors import UserError


@pytest.fixture
def two_files(tmp_path, monkeypatch):
    """A user-level causerie.toml and one in the current folder, which wins where both set a value."""
    user = tmp_path / "xdg" / "causerie"
    user.mkdir(parents=True)
    (user / "causerie.toml").write_text('seed = 1\nthreads = 3\n', encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "causerie.toml").write_text('seed = 7\nhosts = ["Amélie", "Paul"]\n', encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(project)
    for var in ("CAUSERIE_MODEL", "CAUSERIE_SEED", "CAUSERIE_THREADS", "CAUSERIE_GPU_LAYERS", "CAUSERIE_MINUTES",
                "CAUSERIE_PROMPTS", "CAUSERIE_VOICES"):
        monkeypatch.delenv(var, raising=False)
    return user / "causerie.toml", project / "causerie.toml"


def test_each_setting_says_where_it_came_from(two_files, monkeypatch):
    user_file, project_file = two_files
    monkeypatch.setenv("CAUSERIE_MINUTES", "5")
    settings, origins = settings_with_origins()
    assert (settings.seed, origins["seed"]) == (7, str(project_file))
    assert (settings.threads, origins["threads"]) == (3, str(user_file))
    assert (settings.hosts, origins["hosts"]) == (("Amélie", "Paul"), str(project_file))
    assert (settings.minutes, origins["minutes"]) == (5.0, "CAUSERIE_MINUTES")
    assert (settings.model, origins["model"]) == (None, "default")
    assert (settings.redact, origins["redact"]) == (True, "default")
    assert settings == load_settings(), "show reports exactly what a run starts from"


def test_an_environment_variable_beats_both_files(two_files, monkeypatch):
    monkeypatch.setenv("CAUSERIE_SEED", "99")
    rows = {name: (value, origin) for name, value, origin in effective_rows()}
    assert rows["seed"] == ("99", "CAUSERIE_SEED")
    assert rows["hosts"][0] == "Amélie,Paul"
    assert rows["home (models, caches)"][1] == "CAUSERIE_HOME"     # the test fixture sets it
    assert rows["prompts"][1] == "default"


def test_the_table_names_every_origin(two_files, monkeypatch):
    user_file, project_file = two_files
    monkeypatch.setenv("CAUSERIE_GPU_LAYERS", "0")
    console = Console(file=io.StringIO(), width=400, color_system=None)
    assert config_show_command(console) == 0
    text = console.file.getvalue()
    lines = {line.split("│")[1].strip(): line for line in text.splitlines() if line.count("│") >= 4}
    assert str(project_file) in lines["seed"] and str(user_file) in lines["threads"]
    assert "CAUSERIE_GPU_LAYERS" in lines["gpu_layers"] and "default" in lines["model"]
    assert "Files read, later wins" in text


def test_a_broken_file_is_the_same_one_line_error_as_for_a_run(two_files):
    _, project_file = two_files
    project_file.write_text("seed = \n", encoding="utf-8")
    with pytest.raises(UserError, match="not valid TOML"):
        effective_rows()
    project_file.write_text("sead = 3\n", encoding="utf-8")
    with pytest.raises(UserError, match="unknown setting 'sead'"):
        effective_rows()
