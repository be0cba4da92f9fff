"""The `LLM` protocol and its llama.cpp implementation.

The pipeline only sees `LLM.complete()`; llama-cpp-python stays in this module.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import time
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..errors import ModelError
from .sampling import check_grammar_last

Message = dict[str, str]

# What the calls made inside `purpose()` are for, and whether they leave the conversation's prompt.
_PURPOSE: ContextVar[tuple[str, bool]] = ContextVar("causerie_llm_purpose", default=("other", False))


@contextlib.contextmanager
def purpose(name: str, *, aside: bool = False) -> Iterator[None]:
    """Labels the LLM calls made inside (the report breaks their cost down by label).

    `aside`: the calls do not continue the conversation's prompt (a repair prompt, a word list). A
    model that caches its prompt keeps the conversation's cached state and puts it back after them,
    so the next turn evaluates only its new tokens instead of the whole system prompt and transcript.
    """
    token = _PURPOSE.set((name, aside))
    try:
        yield
    finally:
        _PURPOSE.reset(token)


def current_purpose() -> tuple[str, bool]:
    return _PURPOSE.get()


@dataclass
class Completion:
    text: str
    finish_reason: str            # "stop" or "length"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    # Where the seconds went (llama.cpp only): prompt tokens evaluated (the rest came from the KV
    # cache), their evaluation, the generated tokens' evaluation; the rest is sampling and the grammar.
    prompt_evaluated: int | None = None
    prompt_eval_s: float = 0.0
    generation_eval_s: float = 0.0
    purpose: str = ""
    grammar_full_passes: int = 0     # tokens the grammar had to be applied to the whole vocabulary for

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


_TOTALS = ("calls", "prompt_tokens", "prompt_evaluated", "completion_tokens", "seconds", "prompt_eval_s",
           "generation_eval_s", "truncated", "grammar_full_passes", "kv_restores")


@dataclass
class Usage:
    """Running totals, for the report and the benchmarks; `by_purpose` holds the same per label."""

    calls: int = 0
    prompt_tokens: int = 0
    prompt_evaluated: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    prompt_eval_s: float = 0.0
    generation_eval_s: float = 0.0
    truncated: int = 0
    grammar_full_passes: int = 0
    kv_restores: int = 0
    by_purpose: dict[str, dict] = field(default_factory=dict)

    def add(self, c: Completion) -> None:
        evaluated = c.prompt_tokens if c.prompt_evaluated is None else c.prompt_evaluated
        values = {"calls": 1, "prompt_tokens": c.prompt_tokens, "prompt_evaluated": evaluated,
                  "completion_tokens": c.completion_tokens, "seconds": c.seconds, "prompt_eval_s": c.prompt_eval_s,
                  "generation_eval_s": c.generation_eval_s, "truncated": int(c.truncated),
                  "grammar_full_passes": c.grammar_full_passes}
        mine = self.by_purpose.setdefault(c.purpose or "other", dict.fromkeys(_TOTALS, 0))
        for key, value in values.items():
            setattr(self, key, getattr(self, key) + value)
            mine[key] += value

    @property
    def tokens_per_second(self) -> float:
        return self.completion_tokens / self.seconds if self.seconds else 0.0

    def copy(self) -> "Usage":
        return Usage(**{k: getattr(self, k) for k in _TOTALS},
                     by_purpose={k: dict(v) for k, v in self.by_purpose.items()})

    def __sub__(self, earlier: "Usage") -> "Usage":
        """What was spent since `earlier`: one episode's share of a model shared by a batch."""
        zero = dict.fromkeys(_TOTALS, 0)
        by_purpose = {name: {k: v[k] - earlier.by_purpose.get(name, zero)[k] for k in _TOTALS}
                      for name, v in self.by_purpose.items()}
        return Usage(**{k: getattr(self, k) - getattr(earlier, k) for k in _TOTALS},
                     by_purpose={k: v for k, v in by_purpose.items() if v["calls"]})

    def breakdown(self) -> dict:
        """Where the model's time went, for report.json: totals, then per purpose."""
        def row(v: dict) -> dict:
            sampling = v["seconds"] - v["prompt_eval_s"] - v["generation_eval_s"]
            return {"calls": v["calls"], "prompt_tokens": v["prompt_tokens"],
                    "prompt_tokens_evaluated": v["prompt_evaluated"],
                    "prompt_tokens_reused": v["prompt_tokens"] - v["prompt_evaluated"],
                    "completion_tokens": v["completion_tokens"], "seconds": round(v["seconds"], 2),
                    "prompt_eval_s": round(v["prompt_eval_s"], 2),
                    "generation_eval_s": round(v["generation_eval_s"], 2),
                    # Sampling, the JSON grammar, chat formatting and tokenizing: what llama.cpp's decode is not.
                    "sampling_and_grammar_s": round(max(0.0, sampling), 2),
                    "generated_tokens_per_s": round(v["completion_tokens"] / v["generation_eval_s"], 2)
                    if v["generation_eval_s"] else None,
                    "prompt_tokens_per_s": round(v["prompt_evaluated"] / v["prompt_eval_s"], 1)
                    if v["prompt_eval_s"] else None}
        totals = row({k: getattr(self, k) for k in _TOTALS})
        totals["kv_restores"] = self.kv_restores
        # Generated tokens that broke the grammar when sampled without it, and were sampled again with it.
        totals["grammar_full_passes"] = self.grammar_full_passes
        return {**totals, "by_purpose": {name: row(v) for name, v in
                                         sorted(self.by_purpose.items(), key=lambda kv: -kv[1]["seconds"])}}


def default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def gpu_offload_supported() -> bool:
    import llama_cpp

    return bool(llama_cpp.llama_supports_gpu_offload())


class _EvalMeter:
    """Times llama.cpp's decode within one completion: its first eval is the prompt's part not in
    the KV cache, the later ones are the generated tokens."""

    def __init__(self) -> None:
        self.start_call()

    def start_call(self) -> None:
        self.prompt_tokens: int | None = None
        self.prompt_s = self.generation_s = 0.0

    def wrap(self, llama) -> None:
        inner = llama.eval

        def metered(tokens):
            start = time.perf_counter()
            inner(tokens)
            elapsed = time.perf_counter() - start
            if self.prompt_tokens is None:
                self.prompt_tokens, self.prompt_s = len(tokens), elapsed
            else:
                self.generation_s += elapsed

        llama.eval = metered    # an instance attribute: Llama.generate calls self.eval


@dataclass
class LlamaCppLLM:
    """llama-cpp-python behind `LLM`.

    One instance keeps its KV cache between calls: prompts share a stable prefix
    (system, then sources, then the transcript so far), so only new tokens are
    evaluated; a call made inside `purpose(..., aside=True)` puts the cached state
    back after it. Same seed + same call sequence + same build gives the same text.
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
        self._meter = _EvalMeter()
        self._llama = self._load(llama_cpp)
        # Never ask for more context than the model was trained on (llama.cpp warns, quality drops).
        trained = next((int(v) for k, v in self._llama.metadata.items() if k.endswith(".context_length")), 0)
        if trained and self.n_ctx > trained:
            self.n_ctx = trained
            self._llama = self._load(llama_cpp)

    def _load(self, llama_cpp):
        try:
            llama = llama_cpp.Llama(
                model_path=str(self.path), n_ctx=self.n_ctx, n_threads=self.n_threads,
                n_threads_batch=self.n_threads, n_gpu_layers=self.n_gpu_layers,
                seed=1, verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelError(f"{self.path}: llama.cpp could not load it ({exc}); "
                             "is it a complete GGUF file?") from None
        self._meter.wrap(llama)
        check_grammar_last(llama)
        return llama

    @property
    def context_size(self) -> int:
        return self._llama.n_ctx()

    @property
    def device(self) -> str:
        return "gpu" if self.n_gpu_layers else "cpu"

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    # ------------------------------------------------------------ the cached conversation
    def _keep(self):
        """The KV cache of sequence 0 and its tokens (the cache only: `Llama.save_state` would also
        copy a 300 MB logits buffer)."""
        import llama_cpp

        llama = self._llama
        if not llama.n_tokens:
            return None
        ctx = llama._ctx.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(ctx, buffer, size, 0)
        if not written:
            return None
        return llama.input_ids[:llama.n_tokens].copy(), buffer, written

    def _restore(self, kept) -> bool:
        import llama_cpp

        ids, buffer, size = kept
        llama = self._llama
        if llama_cpp.llama_state_seq_set_data(llama._ctx.ctx, buffer, size, 0) != size:
            llama.reset()       # nothing trustworthy is cached: the next call evaluates its whole prompt
            return False
        llama.input_ids[:len(ids)] = ids
        llama.n_tokens = len(ids)
        llama._requires_eval = True     # the logits are stale: the next call re-evaluates one token at least
        return True

    def complete(self, messages: Sequence[Message], *, schema: dict | None = None,
                 temperature: float = 0.7, seed: int = 0, max_tokens: int = 256,
                 repeat_penalty: float = 1.1) -> Completion:
        label, aside = current_purpose()
        kept = self._keep() if aside else None
        try:
            completion = self._complete(messages, schema, temperature, seed, max_tokens, repeat_penalty, label)
        finally:
            if kept is not None and self._restore(kept):
                self.usage.kv_restores += 1
        self.usage.add(completion)
        return completion

    def _complete(self, messages, schema, temperature, seed, max_tokens, repeat_penalty, label) -> Completion:
        kwargs = {}
        if schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": schema}
        self._meter.start_call()
        self._llama.grammar_sampler = None
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
        return Completion(
            text=choice["message"]["content"] or "",
            finish_reason=choice.get("finish_reason") or "stop",
            prompt_tokens=usage.get("prompt_tokens", 0),
            completion_tokens=usage.get("completion_tokens", 0),
            seconds=time.perf_counter() - start,
            prompt_evaluated=self._meter.prompt_tokens or 0,
            prompt_eval_s=self._meter.prompt_s,
            generation_eval_s=self._meter.generation_s,
            purpose=label,
            grammar_full_passes=getattr(self._llama.grammar_sampler, "resampled", 0),
        )


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
        record = {"purpose": out.purpose or current_purpose()[0], "messages": list(messages),
                  **{k: v for k, v in kwargs.items() if k != "schema"},
                  "schema": kwargs.get("schema"), "text": out.text, "finish_reason": out.finish_reason,
                  "prompt_tokens": out.prompt_tokens, "prompt_evaluated": out.prompt_evaluated,
                  "completion_tokens": out.completion_tokens, "seconds": round(out.seconds, 3),
                  "prompt_eval_s": round(out.prompt_eval_s, 3), "generation_eval_s": round(out.generation_eval_s, 3)}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        return out
