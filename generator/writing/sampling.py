"""Grammar-constrained sampling that checks the grammar on the sampled token first.

llama-cpp-python puts the JSON grammar in the sampler chain, so every generated token runs the
grammar over the whole vocabulary (151,936 tokens for Qwen2.5): measured on 2 cores, about a third
of a turn's generation time went to sampling. llama.cpp's own `common_sampler` does what this
does: sample with the chain alone, check that one token against the grammar, and only when it
breaks the grammar apply the grammar to the whole vocabulary and sample again. Inside a JSON
string nearly every token is valid, so the full pass is rare.
"""

from __future__ import annotations

import ctypes
import math

import numpy as np

TOKEN_DATA = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)])


class GrammarLast:
    """Stands for `llama_cpp._internals.LlamaSampler` in `Llama.generate` (it calls `sample`)."""

    def __init__(self, llama_cpp, chain, grammar_sampler, n_vocab: int) -> None:
        self._c = llama_cpp
        self.chain = chain                  # penalties, top-k, top-p, min-p, temperature, dist
        self.grammar = grammar_sampler      # the grammar alone
        self.n_vocab = n_vocab
        self._ids = np.arange(n_vocab, dtype=np.int32)
        self._data = np.zeros(n_vocab, dtype=TOKEN_DATA)
        self._one = np.zeros(1, dtype=TOKEN_DATA)
        self.tokens = 0
        self.resampled = 0                  # tokens the chain picked against the grammar

    def _array(self, data: np.ndarray, size: int):
        pointer = data.ctypes.data_as(ctypes.POINTER(self._c.llama_token_data))
        return self._c.llama_token_data_array(data=pointer, size=size, selected=-1, sorted=False)

    def _candidates(self, ctx, idx: int):
        logits = np.ctypeslib.as_array(self._c.llama_get_logits_ith(ctx.ctx, idx), shape=(self.n_vocab,))
        self._data["id"] = self._ids
        self._data["logit"] = logits
        self._data["p"] = 0.0
        return self._array(self._data, self.n_vocab)

    def _allowed(self, token: int) -> bool:
        self._one[0] = (token, 0.0, 0.0)
        array = self._array(self._one, 1)
        self._c.llama_sampler_apply(self.grammar, ctypes.byref(array))
        return not math.isinf(float(self._one[0]["logit"]))

    def sample(self, ctx, idx: int = -1) -> int:
        candidates = self._candidates(ctx, idx)
        self._c.llama_sampler_apply(self.chain.sampler, ctypes.byref(candidates))
        token = int(self._data[candidates.selected]["id"])
        if not self._allowed(token):
            self.resampled += 1
            candidates = self._candidates(ctx, idx)
            self._c.llama_sampler_apply(self.grammar, ctypes.byref(candidates))
            self._c.llama_sampler_apply(self.chain.sampler, ctypes.byref(candidates))
            token = int(self._data[candidates.selected]["id"])
        self._c.llama_sampler_accept(self.grammar, token)
        self._c.llama_sampler_accept(self.chain.sampler, token)
        self.tokens += 1
        return token

    def close(self) -> None:
        if self.grammar is not None:
            self._c.llama_sampler_free(self.grammar)
            self.grammar = None
        self.chain.close()

    def __del__(self) -> None:
        self.close()


def check_grammar_last(llama) -> None:
    """Makes `llama` (a `llama_cpp.Llama`) sample grammar-constrained calls with `GrammarLast`.

    Calls without a grammar, with logits processors or mirostat keep llama-cpp-python's chain."""
    import llama_cpp
    from llama_cpp import Llama

    def init_sampler(**kwargs):
        grammar = kwargs.get("grammar")
        if grammar is None or kwargs.get("logits_processor") or kwargs.get("mirostat_mode") \
                or kwargs.get("temp", 0.8) <= 0:
            return Llama._init_sampler(llama, **kwargs)
        chain = Llama._init_sampler(llama, **{**kwargs, "grammar": None})
        rules = llama_cpp.llama_sampler_init_grammar(llama._model.vocab, grammar._grammar.encode("utf-8"),
                                                     grammar._root.encode("utf-8"))
        llama.grammar_sampler = GrammarLast(llama_cpp, chain, rules, llama.n_vocab())
        return llama.grammar_sampler

    llama.grammar_sampler = None            # the last call's, for its counts
    llama._init_sampler = init_sampler      # an instance attribute: Llama.generate calls self._init_sampler
