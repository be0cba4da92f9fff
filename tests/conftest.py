from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from generator.writing.llm import Completion

# strict_skips: under CI=true or CAUSERIE_ALL_ENGINES=1 a skip is a failure unless marked may_skip.
pytest_plugins = ["pytester", "strict_skips"]

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO.parent / "shared" / "samples"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Tests never read or write the user's model cache, nor reach the hub."""
    monkeypatch.setenv("CAUSERIE_HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


class FakeLLM:
    """A deterministic `LLM`: `respond(messages, schema, call_index)` returns the text (or a Completion)."""

    name = "fake"

    def __init__(self, respond: Callable[[Sequence[dict], dict | None, int], str | Completion]):
        self.respond = respond
        self.calls: list[dict] = []

    def complete(self, messages, *, schema=None, temperature=0.7, seed=0, max_tokens=256, repeat_penalty=1.1):
        self.calls.append({"messages": list(messages), "schema": schema, "temperature": temperature,
                           "seed": seed, "max_tokens": max_tokens})
        out = self.respond(messages, schema, len(self.calls) - 1)
        return out if isinstance(out, Completion) else Completion(text=out, finish_reason="stop")

    def count_tokens(self, text: str) -> int:
        return len(text.split())


def turn_json(speaker: str, text: str) -> str:
    return json.dumps({"locuteur": speaker, "texte": text}, ensure_ascii=False)


@pytest.fixture
def fake_llm():
    return FakeLLM
