"""Loads the French Jinja2 templates from prompts/<lang>/."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import jinja2

from ..resources import data_dir


def prompts_dir(lang: str = "fr") -> Path:
    """CAUSERIE_PROMPTS lets a user steer the hosts with their own templates."""
    base = os.environ.get("CAUSERIE_PROMPTS")
    root = Path(base) if base else data_dir("prompts")
    return root / lang


@lru_cache(maxsize=4)
def environment(lang: str = "fr") -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(prompts_dir(lang))),
        undefined=jinja2.StrictUndefined,   # a typo in a template must fail, not go silent
        keep_trailing_newline=False,
        autoescape=False,
    )


def render(name: str, lang: str = "fr", **values) -> str:
    return environment(lang).get_template(f"{name}.j2").render(**values).strip()
