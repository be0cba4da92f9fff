"""Progress of an unfinished script, saved after every stage and every turn.

A run killed at any point (even `kill -9`) restarts from the last finished turn:
translated facts, the outline and the turns already written are not redone (the
fact bank itself is recomputed: it costs seconds and no LLM call).
The file is tied to the run's fingerprint (documents, seed, model, settings), so
a different request never picks up stale work.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from .outline import Chapter, Outline
from .script import Turn, write_atomic


class Checkpoint:
    def __init__(self, path: Path | None, fingerprint: str) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self.data: dict = {"fingerprint": fingerprint}
        if path is not None and path.is_file():
            try:
                saved = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, OSError):
                saved = {}
            if saved.get("fingerprint") == fingerprint:
                self.data = saved

    @property
    def resumed(self) -> bool:
        return len(self.data) > 1

    def _save(self) -> None:
        if self.path is not None:
            write_atomic(self.path, json.dumps(self.data, ensure_ascii=False))

    # translations of English facts: fact id -> French statement
    def translations(self) -> dict[int, str] | None:
        raw = self.data.get("translations")
        return {int(k): v for k, v in raw.items()} if raw is not None else None

    def save_translations(self, texts: dict[int, str]) -> None:
        self.data["translations"] = {str(k): v for k, v in texts.items()}
        self._save()

    # outline
    def outline(self) -> Outline | None:
        raw = self.data.get("outline")
        if raw is None:
            return None
        return Outline(raw["subject"], raw["title"], raw["hook"],
                       tuple(Chapter(c["title"], tuple(c["facts"])) for c in raw["chapters"]),
                       tuple(raw.get("reserve", ())), {int(k): v for k, v in raw.get("questions", {}).items()})

    def save_outline(self, outline: Outline) -> None:
        self.data["outline"] = asdict(outline)
        self._save()

    # turns
    def turns(self) -> tuple[int, list[Turn], int]:
        """(index of the next plan step, turns written so far, exchanges added to the plan)."""
        return (self.data.get("next", 0), [Turn.model_validate(t) for t in self.data.get("turns", [])],
                self.data.get("extra", 0))

    def dropped(self) -> list[dict]:
        """Plan steps left out so far, so a resumed run reports them too."""
        return list(self.data.get("dropped", []))

    def fired(self) -> dict[str, int]:
        """How often each check failed so far."""
        return dict(self.data.get("fired", {}))

    def rungs(self) -> dict[str, int]:
        """How often each rung of the ladder was tried and saved its turn so far."""
        return dict(self.data.get("rungs", {}))

    def save_turns(self, next_step: int, turns: list[Turn], extra: int = 0,
                   dropped: Sequence[dict] = (), fired: dict[str, int] | None = None,
                   rungs: dict[str, int] | None = None) -> None:
        self.data["rungs"] = dict(rungs or {})
        self.data["next"] = next_step
        self.data["extra"] = extra
        self.data["dropped"] = list(dropped)
        self.data["fired"] = dict(fired or {})
        self.data["turns"] = [t.model_dump() for t in turns]
        self._save()

    def clear(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
