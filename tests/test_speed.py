"""Where an episode's time and energy go, and the two things that save it: the conversation kept in
llama.cpp's KV cache across calls made aside, and voices made while the script is written.

The KV tests run the real tiny model (SmolLM2-135M); the pipeline tests a fake LLM answering by
the request's structure and the deterministic `tone` engine. Speed itself is measured in bench/.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from generator.cost import GRID_G_PER_KWH, Meter, grid_intensity
from generator.episode import Models, RenderOptions, make_episode, overlap_pays
from generator.writing.llm import Usage, current_purpose, purpose

from conftest import FakeLLM
from test_batch import EXAMPLE, OPTIONS, answer, fake_models
from test_end_to_end import needs_tiny

SYSTEM = ("Tu écris un podcast en français. Deux personnes l'animent : Camille pose les questions, Thomas "
          "répond avec les chiffres des documents. Le four solaire d'Odeillo a été mis en service en 1970 "
          "par le CNRS ; ses 9 500 miroirs concentrent le soleil sur une cible de 40 centimètres. ") * 3
SCHEMA = {"type": "object", "properties": {"texte": {"type": "string"}}, "required": ["texte"]}


def conversation(*lines: str) -> list[dict]:
    transcript = "\n".join(lines)
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Conversation jusqu'ici :\n{transcript}\nProchaine réplique : Thomas."}]


def turns(llm, aside: str | None) -> tuple[str, list]:
    """Two turns of one conversation, with or without a call off its prompt between them."""
    with purpose("turn"):
        first = llm.complete(conversation("Camille : Bonjour à tous !"), schema=SCHEMA, seed=3, max_tokens=24)
    calls = [first]
    if aside is not None:
        with purpose("repair", aside=True):
            calls.append(llm.complete([{"role": "user", "content": aside}], schema=SCHEMA, seed=4, max_tokens=16))
    with purpose("turn"):
        second = llm.complete(conversation("Camille : Bonjour à tous !", f"Thomas : {first.text}",
                                           "Camille : Et les miroirs ?"), schema=SCHEMA, seed=5, max_tokens=24)
    return second.text, calls + [second]


@pytest.fixture(scope="module")
def tiny():
    from generator.writing.llm import LlamaCppLLM
    from generator.writing.models import resolve

    def load():
        return LlamaCppLLM(resolve("smollm2-135m")[1], n_ctx=2048, n_threads=2)
    return load


@needs_tiny
@pytest.mark.slow
def test_a_call_made_aside_leaves_the_conversation_cached(tiny):
    alone_text, alone = turns(tiny(), None)
    llm = tiny()
    text, calls = turns(llm, "Corrige cette phrase : « le four est chaud ».")
    # The same text as without the repair, and the second turn evaluated only its new tokens.
    assert text == alone_text
    assert calls[-1].prompt_evaluated == alone[-1].prompt_evaluated < calls[-1].prompt_tokens / 3
    assert llm.usage.kv_restores == 1

    # The same calls without `aside`: the repair's prompt evicts the conversation, re-read in full.
    plain = tiny()
    with purpose("turn"):
        first = plain.complete(conversation("Camille : Bonjour à tous !"), schema=SCHEMA, seed=3, max_tokens=24)
        plain.complete([{"role": "user", "content": "Corrige cette phrase."}], schema=SCHEMA, seed=4, max_tokens=16)
        second = plain.complete(conversation("Camille : Bonjour à tous !", f"Thomas : {first.text}",
                                             "Camille : Et les miroirs ?"), schema=SCHEMA, seed=5, max_tokens=24)
    assert second.prompt_evaluated > second.prompt_tokens * 0.9


@needs_tiny
@pytest.mark.slow
def test_usage_says_where_the_time_went_by_purpose(tiny):
    llm = tiny()
    _, calls = turns(llm, "Corrige cette phrase : « le four est chaud ».")
    report = llm.usage.breakdown()
    assert report["calls"] == 3 and set(report["by_purpose"]) == {"turn", "repair"}
    assert report["by_purpose"]["turn"]["calls"] == 2
    turn = report["by_purpose"]["turn"]
    assert turn["prompt_tokens"] == calls[0].prompt_tokens + calls[-1].prompt_tokens
    assert turn["prompt_tokens_reused"] == turn["prompt_tokens"] - turn["prompt_tokens_evaluated"] > 0
    assert report["completion_tokens"] == sum(c.completion_tokens for c in calls)
    parts = report["prompt_eval_s"] + report["generation_eval_s"] + report["sampling_and_grammar_s"]
    assert parts == pytest.approx(report["seconds"], abs=0.05)
    assert report["kv_restores"] == 1
    # One episode's share of a model shared by a batch.
    before = llm.usage.copy()
    turns(llm, None)
    share = (llm.usage - before).breakdown()
    assert share["calls"] == 2 and set(share["by_purpose"]) == {"turn"}


def test_pipelined_voices_give_the_same_episode(tmp_path):
    sequential = make_episode([EXAMPLE], tmp_path / "a", OPTIONS, RenderOptions(engine="tone", fmt="wav",
                                                                               pipeline=False), models=fake_models())
    pipelined = make_episode([EXAMPLE], tmp_path / "b", OPTIONS, RenderOptions(engine="tone", fmt="wav",
                                                                              pipeline=True), models=fake_models())
    assert sequential.render.audio.read_bytes() == pipelined.render.audio.read_bytes()
    n = len(pipelined.script.script.turns)
    assert sequential.render.synthesized == n and pipelined.render.synthesized == 0, "the render found its clips"
    before = json.loads((sequential.folder / "report.json").read_text())["production"]
    after = json.loads((pipelined.folder / "report.json").read_text())["production"]
    assert not before["pipelined"] and before["clips_made_while_writing"] == 0
    assert after["pipelined"] and after["clips_made_while_writing"] >= n
    assert after["audio_s"] == before["audio_s"] > 0
    assert before["voices_load_s"] == 0.0 == after["voices_load_s"], "the tone engine has nothing to load"
    for section in (before, after):
        # Rounded to 3 decimals in the report: a fake episode's wall is a few hundredths of its audio.
        assert section["wall_per_audio_s"] == pytest.approx(section["cost"]["wall_s"] / section["audio_s"], abs=1e-3)

    # A finished episode is not redone, and keeps the section of the run that made it.
    again = make_episode([EXAMPLE], tmp_path / "b", OPTIONS, RenderOptions(engine="tone", fmt="wav", pipeline=True),
                         models=fake_models())
    assert again.reused and json.loads((pipelined.folder / "report.json").read_text())["production"] == after


class CountingFake(FakeLLM):
    """The fake model, with the usage a real one keeps (a token per word)."""

    def __init__(self):
        super().__init__(answer)
        self.usage = Usage()

    def complete(self, messages, **kwargs):
        out = super().complete(messages, **kwargs)
        out.completion_tokens = self.count_tokens(out.text)
        out.purpose = current_purpose()[0]
        self.usage.add(out)
        return out


@pytest.mark.parametrize("cores,gpu,llm_threads,tts_threads,expected", [
    (2, False, None, None, False),     # the model takes every core: the voices would only slow it down
    (2, False, 1, None, True),         # --threads 1 leaves a core to the voices
    (2, False, 1, 2, False),
    (16, False, 8, 4, True),
    (2, True, None, None, True),       # the model on a GPU leaves the cores to the voices
])
def test_voices_overlap_the_writing_only_where_it_pays(monkeypatch, cores, gpu, llm_threads, tts_threads, expected):
    import generator.writing.llm as llm_module

    monkeypatch.setattr(llm_module, "default_threads", lambda: cores)
    monkeypatch.setattr(llm_module, "gpu_offload_supported", lambda: gpu)
    assert overlap_pays(llm_threads, None, tts_threads) is expected
    assert overlap_pays(llm_threads, 0, tts_threads) is (cores >= (llm_threads or cores) + (tts_threads or 1))


def test_report_gives_the_scripts_yield_calls_and_cost(tmp_path):
    fake = CountingFake()
    result = make_episode([EXAMPLE], tmp_path, OPTIONS, None, models=Models(preloaded=fake))
    section = json.loads((result.folder / "report.json").read_text())["script"]
    llm = section["llm"]
    assert llm["calls_per_kept_turn"] == pytest.approx(llm["calls"] / len(result.script.script.turns), abs=0.01)
    assert llm["calls"] == len(fake.calls) and set(llm["breakdown"]["by_purpose"]) >= {"outline", "turn"}
    spoken = sum(len(t.text.split()) for t in result.script.script.turns)
    assert llm["yield"] == pytest.approx(spoken / llm["completion_tokens"], abs=0.01) and 0 < llm["yield"] < 1
    assert llm["device"] == "cpu"
    # Each rung's tries are the calls made for it.
    ladder, by_purpose = section["ladder"], llm["breakdown"]["by_purpose"]
    assert ladder["first_tries"] == by_purpose["turn"]["calls"]
    assert ladder["regenerate"]["tries"] == by_purpose.get("regenerate", {}).get("calls", 0) > 0
    assert ladder["passed_first"] + ladder["regenerate"]["tries"] <= ladder["first_tries"]
    assert sum(tries for tries, _ in ladder["regenerate"]["after"].values()) >= ladder["regenerate"]["tries"]
    cost = section["cost"]
    assert cost["wall_s"] > 0 and cost["cpu_s"] >= 0 and cost["total_wh"] >= cost["cpu_wh"] >= 0
    assert cost["co2_g"] == pytest.approx(cost["total_wh"] / 1000 * cost["grid_g_per_kwh"], abs=1e-4)


def _busy(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_cpu_energy_is_estimated_from_cpu_time_without_rapl(tmp_path, monkeypatch):
    monkeypatch.setenv("CAUSERIE_CPU_WATTS", "10")
    monkeypatch.setenv("CAUSERIE_GRID", "de")
    with Meter(rapl_root=tmp_path) as meter:
        _busy(0.3)
    cost = meter.cost
    assert cost.cpu_s >= 0.29 and cost.cpu_energy.startswith("estimate: 10 W")
    assert cost.cpu_wh == pytest.approx(cost.cpu_s * 10 / 3600)
    assert cost.grid == "DE" and cost.co2_g == pytest.approx(cost.total_wh / 1000 * GRID_G_PER_KWH["DE"])


def test_cpu_energy_comes_from_rapl_counters_when_readable(tmp_path):
    package = tmp_path / "intel-rapl:0"
    package.mkdir()
    (package / "max_energy_range_uj").write_text("1000000000\n")
    (package / "energy_uj").write_text("999000000\n")
    (tmp_path / "intel-rapl:0:0").mkdir()          # a sub-domain (cores) is inside its package: not added
    (tmp_path / "intel-rapl:0:0" / "energy_uj").write_text("5\n")
    meter = Meter(rapl_root=tmp_path, grid="FR")
    (package / "energy_uj").write_text("35000000\n")   # wrapped past the range: 36 J in all
    cost = meter.stop()
    assert cost.cpu_energy == "rapl" and cost.cpu_wh == pytest.approx(36 / 3600)
    assert cost.co2_g == pytest.approx(36 / 3600 / 1000 * 56)


@pytest.mark.parametrize("choice,expected", [("FR", ("FR", 56.0)), ("world", ("WORLD", 481.0)),
                                             ("250", ("250 g/kWh", 250.0)), ("XX", ("FR", 56.0))])
def test_grid_mix_by_country_or_number(choice, expected):
    assert grid_intensity(choice) == expected


@needs_tiny
@pytest.mark.slow
def test_grammar_checked_on_the_sampled_token_still_holds_every_output(tiny):
    """The chain samples without the grammar and the grammar judges that one token: the output must
    still follow the schema exactly, even hot, and the whole-vocabulary pass must be the exception."""
    llm = tiny()
    schema = {"type": "object", "properties": {"locuteur": {"type": "string", "enum": ["Camille"]},
                                               "annee": {"type": "integer"}, "texte": {"type": "string"}},
              "required": ["locuteur", "annee", "texte"]}
    outs = [llm.complete([{"role": "user", "content": "Raconte une histoire de pirates en anglais."}], schema=schema,
                         temperature=1.1, seed=seed, max_tokens=80) for seed in range(5)]
    for out in outs:
        if out.truncated:
            continue
        data = json.loads(out.text)
        assert data["locuteur"] == "Camille" and isinstance(data["annee"], int) and isinstance(data["texte"], str)
    assert sum(not o.truncated for o in outs) >= 2
    passes, tokens = sum(o.grammar_full_passes for o in outs), sum(o.completion_tokens for o in outs)
    assert 0 < passes < tokens / 2, "the model's own picks broke the grammar sometimes, not mostly"
    assert llm.usage.grammar_full_passes == passes
