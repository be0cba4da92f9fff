"""The wheel works outside the checkout: built, installed in a fresh venv, `causerie script` run there.

No network: the wheel is built with the test set-up's setuptools (--no-build-isolation) and
installed with --no-deps; the fresh venv sees the already-installed dependencies through a
.pth line naming this interpreter's site-packages (a path listed in a .pth file is added to
sys.path, but the .pth files inside it, such as the checkout's editable-install finder, are
not run, so `generator` can only come from the wheel).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from generator.writing.models import REGISTRY, locate

HAVE_TINY = locate(REGISTRY["smollm2-135m"]) is not None

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "generator", "prompts", "voices")

DOCUMENT = """# Le four solaire d'Odeillo

Le four solaire d'Odeillo se trouve dans les Pyrénées-Orientales, à Font-Romeu. Il a été construit
entre 1962 et 1968 par le CNRS, sous la direction de l'ingénieur Félix Trombe. C'est le plus grand
four solaire du monde : son miroir parabolique mesure cinquante-quatre mètres de large et quarante
mètres de haut.

## Comment il fonctionne

Soixante-trois héliostats, de grands miroirs plats posés sur la pente, suivent le soleil toute la
journée. Ils renvoient la lumière vers le miroir parabolique, qui la concentre sur une cible de la
taille d'une casserole. Au foyer, la température dépasse trois mille degrés Celsius en quelques
secondes, sans flamme et sans fumée.

## À quoi il sert

Les chercheurs y testent des matériaux soumis à des chocs thermiques extrêmes, comme les boucliers
des véhicules spatiaux qui rentrent dans l'atmosphère. Le site profite de plus de deux mille quatre
cents heures de soleil par an, d'un air sec et pur, ce qui explique le choix de cette vallée.
"""


def _build_wheel(tmp: Path) -> Path:
    # Built from a copy: an in-tree build would write build/ and *.egg-info into a checkout others use.
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "_data"))
        else:
            shutil.copy(path, src / name)
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                          "--no-index", "-w", str(tmp / "dist"), str(src)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, "wheel build failed (the test set-up installs setuptools>=77):\n" + run.stderr
    return next((tmp / "dist").glob("causerie-*.whl"))


def _fresh_venv(tmp: Path, wheel: Path) -> Path:
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    run = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                          "--no-index", str(wheel)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    here = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib, "_causerie_test_deps.pth").write_text("".join(f"{p}\n" for p in sorted(here)))
    return venv


def test_wheel_ships_the_data_folders(tmp_path):
    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("prompts", "voices"):
        for path in (REPO / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                shipped = f"generator/_data/{folder}/{path.relative_to(REPO / folder).as_posix()}"
                assert shipped in names, f"{shipped} missing from {wheel.name}"
    for path in (REPO / "generator").rglob("*"):
        # Every data file the package reads at run time (lexicons, the web page's static files).
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "_data" not in path.parts:
            assert path.relative_to(REPO).as_posix() in names, f"{path.relative_to(REPO)} missing from the wheel"


@pytest.mark.skipif(not HAVE_TINY, reason="tiny test model not installed (make test installs it)")
@pytest.mark.slow
def test_installed_wheel_writes_a_script_outside_the_checkout(tmp_path):
    venv = _fresh_venv(tmp_path, _build_wheel(tmp_path))
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "odeillo.md").write_text(DOCUMENT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "CAUSERIE_PROMPTS", "CAUSERIE_VOICES"}}

    probe = subprocess.run(
        [str(venv / "bin" / "python"), "-c",
         "import json, sys, generator\n"
         "from generator.writing.prompts import prompts_dir\n"
         "from generator.speech.voices import voices_dir\n"
         "print(json.dumps({'package': generator.__file__, 'prompts': str(prompts_dir()),"
         " 'voices': str(voices_dir()), 'path': sys.path}))"],
        capture_output=True, text=True, cwd=work, env=env, timeout=120)
    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout)
    installed = Path(found["package"]).parent
    assert installed.is_relative_to(venv), found["package"]
    assert Path(found["prompts"]) == installed / "_data" / "prompts" / "fr"
    assert Path(found["voices"]) == installed / "_data" / "voices"
    assert (installed / "_data" / "prompts" / "fr" / "replique.j2").is_file()
    assert all(Path(p or work).resolve() != REPO for p in found["path"]), "the checkout must not be importable"

    # One thread: the 135M model needs no more, and beside another llama.cpp run on 2 cores,
    # 2 OpenMP threads each crawled at ~1 token/s (measured).
    run = subprocess.run([str(venv / "bin" / "causerie"), "script", "odeillo.md", "-o", "out",
                          "--model", "smollm2-135m", "--minutes", "0.5", "--threads", "1"],
                         capture_output=True, text=True, cwd=work, env=env, timeout=900)
    assert run.returncode == 0, run.stderr
    script = json.loads((work / "out" / "odeillo" / "script.json").read_text(encoding="utf-8"))
    assert [h["name"] for h in script["hosts"]] == ["Camille", "Thomas"]
    assert script["turns"] and all(t["text"].strip() for t in script["turns"])
