"""The `LLM` protocol and its llama.cpp implementation.

The pipeline only sees `LLM.complete()`; llama-cpp-python stays in this module.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..errors import ModelError

Message = dict[str, str]


@dataclass
class Completion:
    text: str
    finish_reason: str            # "stop" or "length"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"

    def json(self) -> dict | None:
        """The parsed object, or None when the output was cut or is not JSON.

        A grammar keeps the output on the JSON path but cannot make it close:
        a truncated completion is never parsed half-way.
        """
        if self.truncated:
            return None
        try:
            value = json.loads(self.text)
        except json.JSONDecodeError:
            return None
        return value if isinstance(value, dict) else None


class LLM(Protocol):
    name: str

    def complete(self, messages: Sequence[Message], *, schema: dict | None = None,
                 temperature: float = 0.7, seed: int = 0, max_tokens: int = 256,
                 repeat_penalty: float = 1.1) -> Completion: ...

    def count_tokens(self, text: str) -> int: ...


@dataclass
class Usage:
    """Running totals, for the report and the benchmarks."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    truncated: int = 0

    def add(self, c: Completion) -> None:
        self.calls += 1
        self.prompt_tokens += c.prompt_tokens
        self.completion_tokens += c.completion_tokens
        self.seconds += c.seconds
        self.truncated += c.truncated

    @property
    def tokens_per_second(self) -> float:
        return self.completion_tokens / self.seconds if self.seconds else 0.0

    def __sub__(self, earlier: "Usage") -> "Usage":
        """What was spent since `earlier`: one episode's share of a model shared by a batch."""
        return Usage(self.calls - earlier.calls, self.prompt_tokens - earlier.prompt_tokens,
                     self.completion_tokens - earlier.completion_tokens, self.seconds - earlier.seconds,
                     self.truncated - earlier.truncated)


def default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def gpu_offload_supported() -> bool:
    import llama_cpp

    return bool(llama_cpp.llama_supports_gpu_offload())


@dataclass
class LlamaCppLLM:
    """llama-cpp-python behind `LLM`.

    One instance keeps its KV cache between calls: prompts share a stable prefix
    (system, then sources, then the transcript so far), so only new tokens are
    evaluated. Same seed + same call sequence + same build gives the same text.
    """

    path: Path
    name: str = ""
    n_ctx: int = 4096
    n_threads: int | None = None
    n_gpu_layers: int | None = None
    usage: Usage = field(default_factory=Usage)

    def __post_init__(self) -> None:
        import llama_cpp

        self.name = self.name or Path(self.path).stem
        self.n_threads = self.n_threads or default_threads()
        if self.n_gpu_layers is None:
            self.n_gpu_layers = -1 if gpu_offload_supported() else 0
        self._llama = self._load(llama_cpp)
        # Never ask for more context than the model was trained on (llama.cpp warns, quality drops).
        trained = next((int(v) for k, v in self._llama.metadata.items() if k.endswith(".context_length")), 0)
        if trained and self.n_ctx > trained:
            self.n_ctx = trained
            self._llama = self._load(llama_cpp)

    def _load(self, llama_cpp):
        try:
            return llama_cpp.Llama(
                model_path=str(self.path), n_ctx=self.n_ctx, n_threads=self.n_threads,
                n_threads_batch=self.n_threads, n_gpu_layers=self.n_gpu_layers,
                seed=1, verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelError(f"{self.path}: llama.cpp could not load it ({exc}); "
                             "is it a complete GGUF file?") from None

    @property
    def context_size(self) -> int:
        return self._llama.n_ctx()

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def complete(self, messages: Sequence[Message], *, schema: dict | None = None,
                 temperature: float = 0.7, seed: int = 0, max_tokens: int = 256,
                 repeat_penalty: float = 1.1) -> Completion:
        kwargs = {}
        if schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": schema}
        start = time.perf_counter()
        try:
            out = self._llama.create_chat_completion(
                messages=list(messages), temperature=temperature, seed=seed,
                max_tokens=max_tokens, repeat_penalty=repeat_penalty, top_p=0.9, top_k=40,
                **kwargs,
            )
        except ValueError as exc:
            # llama.cpp raises ValueError when the prompt exceeds the context.
            raise ModelError(f"prompt too long for the model context ({self.context_size} tokens): {exc}") from None
        choice = out["choices"][0]
        usage = out.get("usage", {})
        completion = Completion(
            text=choice["message"]["content"] or "",
            finish_reason=choice.get("finish_reason") or "stop",
            prompt_tokens=usage.get("prompt_tokens", 0),
            completion_tokens=usage.get("completion_tokens", 0),
            seconds=time.perf_counter() - start,
        )
        self.usage.add(completion)
        return completion


@dataclass
class LoggedLLM:
    """Wraps any `LLM` and appends every call to a JSON Lines file, for inspection (as simonw/llm logs)."""

    inner: LLM
    path: Path

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def usage(self) -> Usage | None:
        return getattr(self.inner, "usage", None)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def complete(self, messages: Sequence[Message], **kwargs) -> Completion:
        out = self.inner.complete(messages, **kwargs)
        record = {"messages": list(messages), **{k: v for k, v in kwargs.items() if k != "schema"},
                  "schema": bool(kwargs.get("schema")), "text": out.text, "finish_reason": out.finish_reason,
                  "prompt_tokens": out.prompt_tokens, "completion_tokens": out.completion_tokens,
                  "seconds": round(out.seconds, 3)}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        return out
