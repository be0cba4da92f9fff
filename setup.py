"""Build hook: ship the top-level `prompts/` and `voices/` inside the wheel.

They stay at the repository root, where people edit them; the build copies them
into `generator/_data/` (generator/resources.py reads them there once installed).
Everything else about the package is declared in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("prompts", "voices")


class BuildWithData(build_py):
    def run(self):
        super().run()
        if self.editable_mode:      # an editable install reads the checkout's folders live
            return
        for name in SHIPPED:
            source = ROOT / name
            if not source.is_dir():     # a build must never ship a wheel that cannot write a script
                raise SystemExit(f"setup.py: {source} is missing; build from a full checkout or sdist")
            target = Path(self.build_lib) / "generator" / "_data" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))


setup(cmdclass={"build_py": BuildWithData})
