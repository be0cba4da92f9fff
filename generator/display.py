"""What the terminal shows while episodes are made: rich bars on a terminal, plain lines elsewhere.

Outside a terminal (a log file, CI, a batch runner) a bar would print nothing for
minutes; there a line is written at most every `PERIOD` seconds and at the end of
each step, with the time left estimated from the speed measured in this run.
"""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)

from .episode import EpisodeProgress

PERIOD = 15.0


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


class _Plain:
    """One counted step (turns, clips, documents) as periodic lines."""

    def __init__(self, console: Console, label: str) -> None:
        self.console, self.label = console, label
        self.started = self.last = 0.0
        self.first = None

    def update(self, done: int, total: int, detail: str = "") -> None:
        now = time.monotonic()
        if self.first is None:          # resumed work already done does not count as speed
            self.first, self.started, self.last = done - 1, now, now
        if done < total and now - self.last < PERIOD:
            return
        self.last = now
        rate = (now - self.started) / max(1, done - self.first)
        left = f", reste ~{_clock(rate * (total - done))}" if done < total and done > self.first + 1 else ""
        self.console.print(f"  {self.label} {done}/{total} ({_clock(now - self.started)}{left})"
                           + (f" — {detail}" if detail else ""), highlight=False)


class Display:
    """Bars for one process: a documents bar for batches, a bar for the current step."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.live = console.is_terminal
        self._bars = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                              TimeElapsedColumn(), TextColumn("reste"), TimeRemainingColumn(),
                              console=console, transient=True, disable=not self.live)
        self._docs = None
        self._plain: dict[str, _Plain] = {}
        self._steps: dict[str | None, int] = {}     # the current step's bar (None), or each document's

    def __enter__(self) -> "Display":
        self._bars.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._bars.__exit__(*exc)

    def stage(self, message: str) -> None:
        self.console.print(f"[dim]•[/dim] {message}")
        bar = self._steps.pop(None, None)     # a new stage: the old step's bar is finished
        if bar is not None:
            self._bars.remove_task(bar)
        self._plain.clear()

    def count(self, label: str, done: int, total: int, detail: str = "", name: str | None = None) -> None:
        """A step's progress; `name`: the document's own bar, when several are made at once."""
        if name is not None:
            label = f"{name} · {label}"
        if not self.live:
            self._plain.setdefault(label, _Plain(self.console, label)).update(done, total, detail)
            return
        description = f"{label} ({detail})" if detail else label
        bar = self._steps.get(name)
        if bar is None:
            bar = self._steps[name] = self._bars.add_task(description, total=total)
        self._bars.update(bar, total=total, completed=done, description=description)

    def episode_progress(self, name: str | None = None) -> EpisodeProgress:
        """The steps of one episode; `name`d when several are made at once, each with its own bar."""
        if name is not None:
            return EpisodeProgress(
                stage=lambda message: self.console.print(f"[dim]•[/dim] {name} : {message}", highlight=False),
                turn=lambda i, n, turn: self.count("répliques", i + 1, n, name=name),
                clip=lambda i, n, cached: self.count("voix", i + 1, n, name=name))
        return EpisodeProgress(
            stage=self.stage,
            turn=lambda i, n, turn: self.count("Répliques", i + 1, n, getattr(turn, "speaker", "")),
            clip=lambda i, n, cached: self.count("Voix", i + 1, n))

    def finished(self, name: str) -> None:
        """A document made in parallel is done: its bar goes."""
        bar = self._steps.pop(name, None)
        if bar is not None:
            self._bars.remove_task(bar)
        for label in [k for k in self._plain if k.startswith(f"{name} · ")]:
            del self._plain[label]

    def document(self, started: int, total: int, name: str) -> None:
        """A line as a document starts, so the scrollback says which step lines are whose."""
        self.console.print(f"[bold]Document {started + 1}/{total}[/bold] : {name}", highlight=False)
        if self._docs is None:
            self.documents(0, total)

    def documents(self, finished: int, total: int) -> None:
        """The batch's own bar, above the step's."""
        if self.live:
            if self._docs is None:
                self._docs = self._bars.add_task("Documents", total=total)
            self._bars.update(self._docs, completed=finished, description="Documents")
