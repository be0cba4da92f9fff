"""The content plan, the turn ladder and the conversation driver, with a fake LLM that answers by the
request's structure: the outline schema's sizes, and each turn's `x-causerie` (intent, fact ids) and
speaker enum. Nothing here reads the French prompts, so editing prompts/fr/ breaks no test."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import replace

import pytest

from generator.hosts import parse_hosts
from generator.ingest.document import Document
from generator.pipeline import ScriptOptions, write_script
from generator.writing.factbank import Fact, FactBank
from generator.writing.llm import Completion
from generator.writing.passages import Passage
from generator.writing.plan import TurnSpec, facts_needed, plan_turns, target_words
from generator.writing.text import ngrams
from generator.writing.outline import Chapter, Outline, group_facts

from conftest import FakeLLM, turn_json

HOSTS = parse_hosts("Camille,Thomas")
PASSAGES = [
    Passage(1, 0, "Le grand four solaire d'Odeillo a été mis en service en 1970 par le CNRS.", "Odeillo", 0, 0.0),
    Passage(2, 0, "Sur la pente, 63 héliostats suivent la course du Soleil. Au foyer, la température dépasse "
                  "3 500 °C, sans aucune flamme.", "Comment il fonctionne", 80, 0.2),
    Passage(3, 0, "Le physicien Félix Trombe avait construit un four à Mont-Louis en 1949. À 1 500 mètres "
                  "d'altitude, la région compte 2 400 heures de soleil par an.", "Pourquoi ici", 240, 0.5),
    Passage(4, 0, "Le laboratoire PROMES du CNRS y travaille. Par beau temps, le four concentre l'équivalent de "
                  "10 000 soleils sur son foyer. On y teste les boucliers thermiques des engins spatiaux.",
            "À quoi il sert", 400, 0.8),
]
FACTS = [
    Fact(1, PASSAGES[0].text, 1, 0, ("1970", "CNRS", "Odeillo"), 0.9, 0.0),
    Fact(2, "Sur la pente, 63 héliostats suivent la course du Soleil.", 2, 0, ("63",), 0.8, 0.2),
    Fact(3, "Au foyer, la température dépasse 3 500 °C, sans aucune flamme.", 2, 0, ("3 500 °C",), 0.7, 0.2),
    Fact(4, "Le physicien Félix Trombe avait construit un four à Mont-Louis en 1949.", 3, 0,
         ("Félix Trombe", "Mont-Louis", "1949"), 0.6, 0.5),
    Fact(5, "À 1 500 mètres d'altitude, la région compte 2 400 heures de soleil par an.", 3, 0,
         ("1 500 mètres", "2 400 heures"), 0.5, 0.5),
    Fact(6, "Le laboratoire PROMES du CNRS y travaille.", 4, 0, ("PROMES", "CNRS"), 0.4, 0.8),
    Fact(7, "Par beau temps, le four concentre l'équivalent de 10 000 soleils sur son foyer.", 4, 0, ("10 000",),
         0.35, 0.8),
    Fact(8, "On y teste les boucliers thermiques des engins spatiaux.", 4, 0, (), 0.3, 0.8),
]
# How the fake hosts say each fact: their own words, the fact's figures.
SAYS = {
    1: "le four d'Odeillo tourne depuis 1970, c'est le CNRS qui l'a lancé.",
    2: "imagine soixante-trois héliostats qui pivotent avec le Soleil sur la pente, toute la journée.",
    3: "au foyer on grimpe au-delà de 3 500 °C, et tout ça sans la moindre flamme.",
    4: "avant Odeillo, Félix Trombe avait essayé l'idée à Mont-Louis, dès 1949.",
    5: "on est perché à 1 500 mètres, avec 2 400 heures de soleil chaque année.",
    6: "aujourd'hui, c'est le laboratoire PROMES du CNRS qui travaille là-haut.",
    7: "par beau temps, le foyer reçoit autant que 10 000 soleils réunis.",
    8: "les chercheurs y éprouvent les boucliers thermiques des engins spatiaux.",
}
# One question per fact but the hook, in the facts' order: each names something of its fact.
QUESTIONS = ["Et sur la pente, ces héliostats, ils font quoi ?", "Et au foyer, ça chauffe fort ?",
             "Qui a eu l'idée en premier, un physicien ?", "Pourquoi cette altitude, au juste ?",
             "Qui travaille là-haut, un laboratoire ?", "Et par beau temps, ça donne quoi ?",
             "On y teste quoi, des boucliers ?"]
DOC = Document(source="odeillo.md", title="Le grand four solaire d'Odeillo", kind="markdown",
               text="\n\n".join(p.text for p in PASSAGES))


def bank() -> FactBank:
    return FactBank(list(FACTS), candidates=12, passages_seen=4, words_read=sum(p.words for p in PASSAGES))


class Hosts:
    """Answers like decent hosts; `bad` maps an intent to the lines it says instead on its first tries."""

    def __init__(self, bad: dict[str, list[str]] | None = None, planned_questions: bool = True):
        self.bad = bad or {}
        self.tries: Counter = Counter()
        self.asked = 0
        self.planned_questions = planned_questions
        self.intents: list[str] = []

    def __call__(self, messages, schema, i):
        props = (schema or {}).get("properties", {})
        if "questions" in props:
            n = props["questions"]["minItems"]
            questions = QUESTIONS[:n] if self.planned_questions else ["Une phrase sans question."] * n
            return json.dumps({"sujet": "le four solaire d'Odeillo", "titre": "Le four qui concentre le Soleil",
                               "chapitres": [f"Le four, partie {k}" for k in range(props["chapitres"]["minItems"])],
                               "questions": questions}, ensure_ascii=False)
        meta = schema["x-causerie"]
        intent, facts = meta["intent"], meta["facts"]
        speaker = props["locuteur"]["enum"][0]
        self.intents.append(intent)
        key = (intent, tuple(facts))
        self.tries[key] += 1
        bad = self.bad.get(intent, [])
        if self.tries[key] <= len(bad):
            return turn_json(speaker, bad[self.tries[key] - 1])
        said = " ".join(SAYS[f] for f in facts)
        if intent == "accroche":
            return turn_json(speaker, "Bonjour à tous ! Cap sur le four solaire : " + said)
        if intent in ("presentation", "explication"):
            return turn_json(speaker, "Eh bien, " + said[0].lower() + said[1:])
        if intent == "question":
            self.asked += 1
            return turn_json(speaker, ["Ah oui ? Et ensuite ?", "Et ça donne quoi, concrètement ?",
                                       "D'accord, mais pourquoi ?", "Et après, que se passe-t-il ?"][self.asked % 4])
        if intent == "recapitulatif":
            items = [i for f in facts for i in FACTS[f - 1].items]
            return turn_json(speaker, "Bref, ce qu'on retient de ce four : " + ", ".join(items) + ".")
        return turn_json(speaker, "Merci Camille, c'était passionnant, et à très bientôt !")


class FailsOn(Hosts):
    """Decent hosts, except that the listed (intent, fact ids) turns always get an assistant's line."""

    def __init__(self, *turns: tuple[str, list[int]], **kwargs):
        super().__init__(**kwargs)
        self.failing = [(intent, list(facts)) for intent, facts in turns]

    def __call__(self, messages, schema, i):
        meta = (schema or {}).get("x-causerie", {})
        if (meta.get("intent"), meta.get("facts")) in self.failing:
            return turn_json(schema["properties"]["locuteur"]["enum"][0], "Comment puis-je vous aider aujourd'hui ?")
        return super().__call__(messages, schema, i)


def run(respond, minutes=2.0, seed=3, **kwargs):
    llm = FakeLLM(respond)
    script = write_script([DOC], llm, ScriptOptions(hosts=HOSTS, minutes=minutes, seed=seed), passages=PASSAGES,
                          bank=bank(), **kwargs)
    return script, llm


# ---------------------------------------------------------------- plan

def test_plan_gives_every_explaining_turn_its_fact_and_keeps_roles():
    told = FACTS[1:facts_needed(2.0)]
    outline = Outline("le four", "Le four", 1, tuple(Chapter(f"c{i}", tuple(f.id for f in g))
                                                     for i, g in enumerate(group_facts(told, 2))),
                      questions={f.id: QUESTIONS[0] for f in told})
    plan = plan_turns(outline, FACTS, 2.0)
    assert [t.intent for t in plan[:2]] == ["accroche", "presentation"]
    assert [t.intent for t in plan[-2:]] == ["recapitulatif", "conclusion"]
    assert all(a.speaker != b.speaker for a, b in zip(plan, plan[1:])), "hosts alternate"
    assert all(t.speaker == 1 for t in plan if t.intent in ("presentation", "explication", "conclusion"))
    assert all(t.facts for t in plan if t.intent in ("accroche", "presentation", "explication"))
    asked = [t for t in plan if t.intent == "question"]
    answers = [plan[plan.index(q) + 1] for q in asked]
    assert all(q.facts == a.facts for q, a in zip(asked, answers)), "each question leads to its answer's fact"
    told_ids = [f.id for t in plan if t.intent in ("accroche", "presentation", "explication") for f in t.facts]
    assert len(told_ids) == len(set(told_ids)) == facts_needed(2.0)
    assert abs(sum(t.words for t in plan) - 300) <= 60


# ---------------------------------------------------------------- a whole script

def test_whole_script_conveys_and_cites_its_facts_and_closes():
    hosts = Hosts()
    script, llm = run(hosts)
    turns = script.turns
    speakers = [t.speaker for t in turns]
    assert speakers[0] == "Camille" and all(a != b for a, b in zip(speakers, speakers[1:]))
    assert turns[0].intent == "accroche" and turns[-1].intent == "conclusion"
    assert not turns[-1].text.rstrip().endswith("?")
    explaining = [t for t in turns if t.intent in ("accroche", "presentation", "explication")]
    assert all(t.facts and t.sources for t in explaining), [(t.intent, t.facts, t.sources) for t in explaining]
    by_id = {f.id: f for f in FACTS}
    assert all(set(t.sources) >= {by_id[f].passage for f in t.facts} for t in explaining)
    # The outline's questions are asked as written, after a short reaction, without a model call.
    planned = [t for t in turns if t.check.status == "planned"]
    assert len(planned) >= 3 and all(t.intent == "question" and t.text.endswith(tuple(QUESTIONS)) for t in planned)
    assert hosts.intents.count("question") == sum(t.intent == "question" for t in turns) - len(planned), \
        "only the extra exchanges' questions cost a model call"
    q = script.quality
    assert q["opening_concrete"] and q["ends_with_goodbye"] and q["non_french_turns"] == 0
    assert q["facts_per_minute"] >= 4 and q["facts_conveyed"] >= 5
    cited, factual = map(int, q["factual_turns_cited"].split("/"))
    assert cited == factual > 0
    assert q["dropped"] == [] and q["checks_fired"] == {}
    assert {f.id for f in script.facts} >= {f for t in turns for f in t.facts}
    assert {p.id for p in script.passages} >= {s for t in turns for s in t.sources}
    # Every turn prompt starts with the same system prompt: llama.cpp reuses its KV cache.
    systems = {c["messages"][0]["content"] for c in llm.calls if c["schema"] and "x-causerie" in c["schema"]}
    assert len(systems) == 1
    again = FakeLLM(Hosts())
    write_script([DOC], again, ScriptOptions(hosts=HOSTS, minutes=2.0, seed=3), passages=PASSAGES, bank=bank())
    assert [c["seed"] for c in again.calls] == [c["seed"] for c in llm.calls]


# ---------------------------------------------------------------- the ladder

def test_a_meta_line_is_regenerated_cooler_then_kept():
    script, llm = run(Hosts({"presentation": ["Comment puis-je vous aider aujourd'hui ?"]}))
    presentation = next(t for t in script.turns if t.intent == "presentation")
    assert presentation.check.status == "regenerated" and "persona" in presentation.check.reasons[0]
    calls = [c for c in llm.calls if c["schema"] and c["schema"].get("x-causerie", {}).get("intent") == "presentation"]
    assert len(calls) == 2 and calls[1]["temperature"] < calls[0]["temperature"]
    assert calls[1]["messages"][-1]["content"].startswith(calls[0]["messages"][-1]["content"]), \
        "the retry appends to the cached prompt"
    assert script.quality["checks_fired"]["persona"] == 1


def test_a_line_reading_the_sources_out_is_reworded_without_them_in_view():
    script, llm = run(Hosts({"presentation": [FACTS[1].text + " " + PASSAGES[1].text]}))
    calls = [c for c in llm.calls if c["schema"] and c["schema"].get("x-causerie", {}).get("intent") == "presentation"]
    assert len(calls) == 2, "no regeneration: asked again, the model reads the sources again"
    assert [m["role"] for m in calls[1]["messages"]] == ["user"], "the rewrite does not show the sources"
    presentation = next(t for t in script.turns if t.intent == "presentation")
    assert presentation.check.status == "repaired" and presentation.check.reasons == ["1:copied"]


def test_a_line_failing_twice_is_rewritten_then_an_answer_failing_again_goes_with_its_question():
    echo = "Et ça marche comment, au juste ?"
    script, _ = run(Hosts({"explication": [echo, echo, "Eh bien, " + SAYS[4]]}))
    trombe = next(t for t in script.turns if t.intent == "explication" and 4 in t.facts)
    assert trombe.check.status == "repaired" and trombe.check.attempts == 3
    assert trombe.check.reasons[:2] == ["1:echo,fact,role", "2:echo,fact,role"]

    # Every rewording fails: the fact is quoted as the sources state it while the copied share of the
    # script stays within its budget; past it, an answer left out takes its question with it.
    never = ["Comment puis-je vous aider aujourd'hui ?"] * 3
    script, _ = run(Hosts({"explication": never}), minutes=1.5)
    answers = [t for t in script.turns if t.intent == "explication"]
    assert answers and all(t.check.status == "fallback" and t.sources for t in answers)
    for answer in answers:
        assert FACTS[answer.facts[0] - 1].text.rstrip(".")[1:] in answer.text, answer.text
    assert len(answers) < len([t for t in plan_turns_of(script) if t == "explication"])
    # The budget: 10 % of the script's 8-word runs, or of 60 % of its target length when it ran short.
    grams = sum(len(ngrams(t.text, 8)) for t in script.turns)
    assert script.quality["copied_ratio"] * grams <= 0.10 * max(grams, 0.6 * target_words(1.5)) + 0.5, \
        "the copy budget holds even when every answer fails"
    turns = script.turns
    for k, turn in enumerate(turns):
        if turn.intent == "question":
            assert turns[k + 1].intent == "explication", "no question is left unanswered"
    speakers = [t.speaker for t in turns]
    assert all(a != b for a, b in zip(speakers, speakers[1:]))
    dropped = script.quality["dropped"]
    assert all("persona" in d["reason"] for d in dropped if d["intent"] == "explication")


def test_fallbacks_keep_the_episode_whole():
    meta = ["Voici la réplique demandée :"] * 3
    script, _ = run(Hosts({"conclusion": meta, "accroche": meta, "question": ["Le four est grand."] * 3},
                          planned_questions=False), minutes=1.5)
    turns = script.turns
    assert turns[0].check.status == "fallback" and turns[0].intent == "accroche"
    assert turns[1].intent == "presentation" and 1 in turns[1].facts, "the expert's first answer carries the hook"
    assert script.quality["opening_concrete"]
    assert turns[-1].check.status == "fallback" and not turns[-1].text.endswith("?")
    questions = [t for t in turns if t.intent == "question"]
    assert questions and all(t.check.status == "fallback" and t.text.endswith("?") for t in questions)
    reasons = {d["intent"]: d["reason"] for d in script.quality["dropped"]}
    assert "fixed" in reasons["accroche"] and "fixed" in reasons["conclusion"] and "fixed" in reasons["question"]


def plan_turns_of(script) -> list[str]:
    """The intents the plan asked for: what was written plus what was left out."""
    return [t.intent for t in script.turns] + [d["intent"] for d in script.quality["dropped"]]


def test_one_answer_quoted_from_the_sources_keeps_the_script_within_its_copy_budget():
    script, _ = run(FailsOn(("explication", [3])))
    quoted = next(t for t in script.turns if 3 in t.facts and t.intent == "explication")
    assert quoted.check.status == "fallback" and "3 500 °C" in quoted.text and quoted.sources == [2]
    assert script.quality["copied_ratio"] <= 0.10


def test_english_words_left_after_the_rewrite_get_french_ones():
    franglais = "Eh bien, le four est vraiment amazing : " + SAYS[2]

    def respond(messages, schema, i):
        if schema and "amazing" in schema["properties"]:
            return json.dumps({"amazing": "étonnant"})
        return hosts(messages, schema, i)
    hosts = Hosts({"presentation": [franglais] * 3})
    script, _ = run(respond)
    presentation = next(t for t in script.turns if t.intent == "presentation")
    assert "étonnant" in presentation.text and "amazing" not in presentation.text
    assert presentation.check.status == "repaired"


def test_truncated_output_is_never_parsed():
    cut = Completion(text='{"locuteur": "Thomas", "texte": "Au foyer il fait', finish_reason="length")
    hosts = Hosts()

    def respond(messages, schema, i):
        meta = (schema or {}).get("x-causerie", {})
        if meta.get("intent") == "presentation" and not hosts.tries[("presentation", tuple(meta["facts"]))]:
            hosts.tries[("presentation", tuple(meta["facts"]))] += 1
            return cut
        return hosts(messages, schema, i)
    script, _ = run(respond)
    assert next(t for t in script.turns if t.intent == "presentation").check.reasons == ["1:truncated"]


def test_short_answers_get_extra_exchanges_on_reserve_facts():
    short = defaultdict(int)

    def respond(messages, schema, i):
        meta = (schema or {}).get("x-causerie")
        if meta and meta["intent"] == "explication":
            short[tuple(meta["facts"])] += 1
            speaker = schema["properties"]["locuteur"]["enum"][0]
            return turn_json(speaker, "Oui, " + SAYS[meta["facts"][0]])
        return hosts(messages, schema, i)
    hosts = Hosts()
    script, _ = run(respond, minutes=3.0)
    told = {f for t in script.turns if t.intent != "recapitulatif" for f in t.facts}
    assert len(told) > facts_needed(3.0) - 1 or len(told) == len(FACTS), "reserve facts were added"
    closing = [t.intent for t in script.turns][-2:]
    assert closing == ["recapitulatif", "conclusion"]


def test_killed_run_resumes_from_the_last_turn(tmp_path):
    from generator.writing.checkpoint import Checkpoint

    options = ScriptOptions(hosts=HOSTS, minutes=2.0, seed=3)
    reference, full = run(Hosts())

    class Killed(Exception):
        pass

    hosts = Hosts()

    def dying(messages, schema, i):
        if i == 4:
            raise Killed()
        return hosts(messages, schema, i)
    path = tmp_path / ".progress.json"
    with pytest.raises(Killed):
        write_script([DOC], FakeLLM(dying), options, passages=PASSAGES, bank=bank(), checkpoint=Checkpoint(path, "fp"))
    saved = json.loads(path.read_text())
    assert saved["outline"]["subject"] == "le four solaire d'Odeillo" and saved["turns"]

    resumed_llm = FakeLLM(Hosts())
    resumed = write_script([DOC], resumed_llm, options, passages=PASSAGES, bank=bank(),
                           checkpoint=Checkpoint(path, "fp"))
    assert not any(c["schema"] and "questions" in c["schema"]["properties"] for c in resumed_llm.calls), \
        "the outline is not asked again"
    assert [t.text for t in resumed.turns] == [t.text for t in reference.turns]
    assert len(resumed_llm.calls) < len(full.calls)
    assert not Checkpoint(path, "other-fingerprint").resumed


def test_translation_refusal_never_replaces_the_source():
    from generator.writing.guard import FrenchGuard
    from generator.writing.translate import french_numbers, translate_text

    english = "The vault keeps the seeds at minus 18 degrees Celsius inside the mountain."
    answers = [json.dumps({"traduction": "Désolé, je ne peux pas traduire ce texte."}),
               json.dumps({"traduction": "La réserve garde les graines à moins 18 degrés Celsius dans la montagne."})]
    text, ok = translate_text(FakeLLM(lambda m, s, i: answers[i]), english, FrenchGuard(), seed=1)
    assert ok and text.startswith("La réserve")
    text, ok = translate_text(FakeLLM(lambda m, s, i: answers[0]), english, FrenchGuard(), seed=1)
    assert not ok and text == english
    assert french_numbers("about 1,300 km and 1.2 million seeds") == "about 1\u202f300 km and 1,2 million seeds"


def test_a_translation_that_flips_the_sense_is_asked_again():
    from generator.writing.guard import FrenchGuard
    from generator.writing.translate import translate_text

    english = "The location was chosen for its cold and its stability, far from any war."
    answers = [json.dumps({"traduction": "Le site a été choisi pour sa chaleur et sa stabilité, loin de toute guerre."}),
               json.dumps({"traduction": "Le site a été choisi pour son froid et sa stabilité, loin de toute guerre."})]
    text, ok = translate_text(FakeLLM(lambda m, s, i: answers[i]), english, FrenchGuard(), seed=1)
    assert ok and "froid" in text
    never = "The furnace was never designed to produce electricity for the grid."
    flipped = json.dumps({"traduction": "Le four a été conçu pour produire de l'électricité pour le réseau."})
    text, ok = translate_text(FakeLLM(lambda m, s, i: flipped), never, FrenchGuard(), seed=1)
    assert not ok and text == never, "the opposite is never said as the fact"


def test_sentences_resting_on_nothing_are_cut_before_the_checks():
    invented = "Eh bien, " + SAYS[2] + " Ces mesures ont été choisies pour maximiser l'efficacité énergétique mondiale."
    script, llm = run(Hosts({"presentation": [invented]}))
    presentation = next(t for t in script.turns if t.intent == "presentation")
    assert presentation.check.status == "checked" and "maximiser" not in presentation.text
    assert "héliostats" in presentation.text


def test_an_outline_question_about_something_else_is_not_asked():
    hosts = Hosts()
    hosts_outline = hosts.__call__

    def respond(messages, schema, i):
        if schema and "questions" in schema["properties"]:
            data = json.loads(hosts_outline(messages, schema, i))
            data["questions"] = ["Et la météo de demain, alors ?"] * len(data["questions"])
            return json.dumps(data, ensure_ascii=False)
        return hosts(messages, schema, i)
    script, _ = run(respond)
    assert not [t for t in script.turns if t.check.status == "planned"]
    assert all("météo" not in t.text for t in script.turns)


def test_an_answer_cut_at_the_token_limit_keeps_its_whole_sentences():
    from generator.writing.ladder import salvage

    cut = '{"locuteur": "Thomas", "texte": "Sur la pente, soixante-trois héliostats suivent le Soleil. Et au foyer, il fait'
    assert salvage(cut) == "Sur la pente, soixante-trois héliostats suivent le Soleil."
    assert salvage('{"locuteur": "Thomas", "texte": "Sur la pente') is None


def test_a_last_sentence_left_unfinished_is_cut():
    from generator.writing.ladder import finish_sentences

    unfinished = ("Les bandes magnétiques stockent les sauvegardes hors du système. Le nom du support "
                  "peut varier selon la taille, mais souvent est")
    assert finish_sentences(unfinished) == "Les bandes magnétiques stockent les sauvegardes hors du système."
    done = "Les bandes stockent les sauvegardes. Elles durent des années !"
    assert finish_sentences(done) == done
    assert finish_sentences("« Les bandes durent des années. »") == "« Les bandes durent des années. »"
    assert finish_sentences("Merci Camille") == "Merci Camille", "one sentence: the checks judge it"
    assert finish_sentences("Oui. Et souvent est") == "Oui. Et souvent est", "too little would be left"


def test_a_first_answer_left_out_is_replaced_so_the_questions_still_come():
    never = ["Comment puis-je vous aider aujourd'hui ?"] * 3
    script, _ = run(Hosts({"presentation": never}))
    turns = script.turns
    assert turns[1].intent == "presentation" and turns[1].check.status == "fallback"
    # The replacement says the answer's fact as the sources state it, and cites it.
    assert "63 héliostats suivent la course du Soleil" in turns[1].text and turns[1].sources == [2]
    assert [t.intent for t in turns[2:4]] == ["question", "explication"]
    assert not any(d["reason"] == "alternation" for d in script.quality["dropped"])


def test_a_fact_is_pointed_at_by_its_figures_with_what_they_count_and_nothing_else():
    from generator.writing.dialogue import fact_handle

    # Measured: "Odeillo, 1970 par le, CNRS" was read out as a sentence of the episode.
    # The stretch of the fact between its figures, when short; a list otherwise.
    assert fact_handle(FACTS[0], in_subject=lambda item: item == "Odeillo") == "1970 par le CNRS"
    assert fact_handle(FACTS[0]) == "1970, CNRS et Odeillo"      # 11 words apart: a list
    long = Fact(11, "Félix Trombe, pionnier de l'énergie solaire que tout le monde connaissait alors, construit en 1949 "
                    "un four.", 3, 0, ("Félix Trombe", "1949"), 0.5, 0.5)
    assert fact_handle(long) == "Félix Trombe et 1949"
    assert fact_handle(FACTS[1]).startswith("63 héliostats")
    hours = Fact(9, "À 1 500 mètres d'altitude, la région compte 2 400 heures de soleil par an.", 3, 0,
                 ("1 500 mètres", "2 400 heures"), 0.5, 0.5)
    assert fact_handle(hours) == "1 500 mètres d'altitude, la région compte 2 400 heures"
    bare = Fact(10, "On en compte 12 par an.", 3, 0, ("12",), 0.5, 0.5)
    assert fact_handle(bare) == "12"


def test_a_goodbye_that_changes_speaker_keeps_each_host_in_their_role():
    from generator.writing.checks import CheckContext, Draft, RoleCheck
    from generator.writing.guard import FrenchGuard

    meta = ["Voici la réplique demandée :"] * 4
    ctx = CheckContext(FrenchGuard(), HOSTS, "le four", [p.text for p in PASSAGES])
    goodbyes = set()
    for seed in range(4):     # the fixed goodbyes are picked by the seed: every one of them
        # Facts without figures or names: nothing for the key-figures recap, so the recap is left out.
        bare = FactBank([replace(f, items=()) for f in FACTS], candidates=12, passages_seen=4,
                        words_read=sum(p.words for p in PASSAGES))
        script = write_script([DOC], FakeLLM(Hosts({"conclusion": meta, "recapitulatif": meta},
                                                   planned_questions=False)),
                              ScriptOptions(hosts=HOSTS, minutes=1.5, seed=seed), passages=PASSAGES, bank=bare)
        last = script.turns[-1]
        assert last.check.status == "fallback" and last.speaker == "Camille", "the recap left out, she says goodbye"
        assert RoleCheck()(Draft(last.text, TurnSpec(0, "conclusion", 3), []), ctx) is None, last.text
        goodbyes.add(last.text)
    assert len(goodbyes) >= 3


def test_fixed_questions_lead_to_the_next_fact_and_are_never_said_twice():
    script, _ = run(Hosts({"question": ["Le four est grand."] * 3}, planned_questions=False), minutes=3)
    turns = script.turns
    asked = [(t, turns[k + 1]) for k, t in enumerate(turns[:-1]) if t.intent == "question"]
    assert len(asked) >= 4 and all(q.check.status == "fallback" for q, _ in asked)
    assert len({q.text for q, _ in asked}) == len(asked), "no fixed question twice in an episode"
    led = 0
    for question, answer in asked:
        items = [i for f in answer.facts for i in FACTS[f - 1].items if i not in ("Odeillo",)]
        if items:
            assert any(i.split()[0] in question.text for i in items), (question.text, items)
            led += 1
    assert led >= 3


def test_a_question_about_another_fact_is_replaced_by_one_that_leads_to_its_answer():
    elsewhere = "Et les boucliers thermiques des engins spatiaux, on les teste comment ?"
    hosts = Hosts({"question": [elsewhere] * 3}, planned_questions=False)
    script, _ = run(hosts)
    assert script.quality["checks_fired"].get("off-topic", 0) >= 2
    replaced = 0
    for k, turn in enumerate(script.turns[:-1]):
        if turn.text == elsewhere:
            assert 8 in script.turns[k + 1].facts, "asked only where the answer tells it"
        elif turn.intent == "question":
            assert turn.check.status == "fallback" and turn.check.attempts == 0
            replaced += 1
    assert replaced >= 2
    assert max(hosts.tries[k] for k in hosts.tries if k[0] == "question") == 1, "a question gets one try"


def test_an_opening_and_first_answer_both_left_out_still_give_the_hook_fact_with_its_source():
    meta = ["Voici la réplique demandée :"] * 3
    script, _ = run(Hosts({"accroche": meta, "presentation": ["Comment puis-je vous aider aujourd'hui ?"] * 3}))
    opening, first = script.turns[:2]
    assert opening.check.status == "fallback" and " de le " not in opening.text and "du four" in opening.text
    assert first.check.status == "fallback" and "mis en service en 1970 par le CNRS" in first.text
    assert first.sources == [1] and script.quality["opening_concrete"]


def test_chapter_titles_numbered_by_the_model_are_numbered_once():
    hosts = Hosts()

    def respond(messages, schema, i):
        if schema and "questions" in schema["properties"]:
            data = json.loads(hosts(messages, schema, i))
            data["chapitres"] = [f"{k + 1}. Les miroirs du four, vus de près {k} (avec 63 héliostats et 3 500 °C)"
                                 for k in range(len(data["chapitres"]))]
            return json.dumps(data, ensure_ascii=False)
        return hosts(messages, schema, i)
    script, _ = run(respond)
    titles = [s.title for s in script.segments[:-1]]
    assert titles and all(t.startswith("Les miroirs du four") and "(" not in t for t in titles), titles


def test_a_fixed_question_names_a_place_with_its_article_or_not_at_all():
    from generator.writing.dialogue import lead_values

    planted = Fact(9, "Elles plantèrent les arbres dans le Liban et le Maroc.", 3, 0, ("Liban", "Maroc"), 0.5, 0.5)
    assert lead_values(planted) == {"nom": "le Liban"}
    pays = Fact(10, "Norvège paye pour le bâtiment.", 1, 0, ("Norvège",), 0.5, 0.5)
    assert lead_values(pays) == {}, "a lone word without its article may be a country: 'Et Norvège' is not French"
    assert lead_values(FACTS[3]) == {"nom": "Félix Trombe"} and lead_values(FACTS[5]) == {"nom": "PROMES"}
    run_on = Fact(11, "Comme l'écrit William Gibson Imaginez, imaginez que votre ordinateur réclame.", 1, 0,
                  ("William Gibson Imaginez",), 0.5, 0.5)
    assert lead_values(run_on) == {"nom": "William Gibson"}


def test_a_sentence_without_figure_name_or_substance_is_never_quoted_as_an_answer():
    bank_ = FactBank([*FACTS[:7], replace(FACTS[7], text="Voilà qui donne le vertige !")], candidates=12,
                     passages_seen=4, words_read=sum(p.words for p in PASSAGES))
    script = write_script([DOC], FakeLLM(FailsOn(("explication", [8]))), ScriptOptions(hosts=HOSTS, minutes=3, seed=3),
                          passages=PASSAGES, bank=bank_)
    assert not any("vertige" in t.text for t in script.turns)


def test_a_recap_left_out_becomes_the_key_figures_before_the_goodbye():
    meta = ["Voici la réplique demandée :"] * 3
    script, _ = run(Hosts({"recapitulatif": meta}))
    recap, goodbye = script.turns[-2:]
    assert recap.intent == "recapitulatif" and recap.check.status == "fallback" and recap.speaker == "Camille"
    told = {i for t in script.turns if t.intent in ("presentation", "explication") for i in t.facts}
    figures = [i for f in told for i in FACTS[f - 1].items if i.split()[0] in recap.text]
    assert len(figures) >= 2 and recap.sources, recap.text
    assert goodbye.speaker == "Thomas" and goodbye.intent == "conclusion"


def test_a_chat_message_is_never_quoted_as_what_the_document_says():
    failing = (("explication", [2]), ("presentation", [2]), ("explication", [3]))
    script = write_script([replace(DOC, kind="chat")], FakeLLM(FailsOn(*failing)),
                          ScriptOptions(hosts=HOSTS, minutes=2, seed=3), passages=PASSAGES, bank=bank())
    assert not any(t.check.reasons and "fallback:fait" in t.check.reasons for t in script.turns)
    script, _ = run(FailsOn(*failing))
    assert any(t.check.reasons and "fallback:fait" in t.check.reasons for t in script.turns), "a document's are"


class Ahead(Hosts):
    """Decent hosts, except that the answer on Félix Trombe also tells the next fact (altitude and sunshine)."""

    def __call__(self, messages, schema, i):
        meta = (schema or {}).get("x-causerie", {})
        if meta.get("intent") == "explication" and meta.get("facts") == [4]:
            return turn_json(schema["properties"]["locuteur"]["enum"][0], "Eh bien, " + SAYS[4] + " Et " + SAYS[5])
        return super().__call__(messages, schema, i)


@pytest.mark.parametrize("minutes", [2.0, 1.5])
def test_a_fact_told_ahead_of_its_turn_is_not_asked_and_told_again(minutes):
    script, _ = run(Ahead(), minutes=minutes)
    telling = [t for t in script.turns if t.intent in ("presentation", "explication") and "2 400" in t.text]
    assert len(telling) == 1 and telling[0].facts == [4]
    assert not any(t.facts == [5] for t in script.turns if t.intent == "explication")
    intents = [t.intent for t in script.turns]
    assert all(a != b for a, b in zip(intents, intents[1:]) if "question" in (a, b)), "questions still get answers"
    assert intents[-2:] == ["recapitulatif", "conclusion"]


def test_a_name_only_the_documents_title_gives_is_backed_by_it():
    def respond(messages, schema, i):
        meta = (schema or {}).get("x-causerie", {})
        if meta.get("intent") == "accroche":
            return turn_json("Camille", "Bonjour à tous ! On part à Font-Romeu : " + SAYS[1])
        return hosts(messages, schema, i)
    hosts = Hosts()
    titled = replace(DOC, title="Le four solaire de Font-Romeu")
    script = write_script([titled], FakeLLM(respond), ScriptOptions(hosts=HOSTS, minutes=2, seed=3),
                          passages=PASSAGES, bank=bank())
    assert script.turns[0].check.status == "checked" and "Font-Romeu" in script.turns[0].text
    script, _ = run(respond)
    assert "Font-Romeu" not in script.turns[0].text, "a name in no document is still refused"


def test_a_word_misspelt_by_our_own_translation_is_still_corrected():
    # Fact 3 as a translation wrote it, misspelt; the host repeats the misspelling.
    translated = replace(FACTS[2], text="Au foyer, la température dépasse 3 500 °C, sans aucune flamm.",
                         original="At the focus, the temperature exceeds 3,500 °C, without any flame.")
    facts = [translated if f.id == 3 else f for f in FACTS]

    def respond(messages, schema, i):
        meta = (schema or {}).get("x-causerie", {})
        if meta.get("facts") == [3] and meta.get("intent") == "explication":
            return turn_json("Thomas", "Eh bien, au foyer on grimpe au-delà de 3 500 °C, sans la moindre flamm.")
        return hosts(messages, schema, i)
    hosts = Hosts()
    script = write_script([DOC], FakeLLM(respond), ScriptOptions(hosts=HOSTS, minutes=2, seed=3), passages=PASSAGES,
                          bank=FactBank(facts, candidates=12, passages_seen=4, words_read=200))
    answer = next(t for t in script.turns if t.intent == "explication" and 3 in t.facts)
    assert "flamme" in answer.text and "flamm." not in answer.text


def test_a_fixed_line_agrees_the_article_a_translated_fact_gave_a_name():
    # A translation wrote "la Prix Cristal" (measured: "la Public Interest" in a fixed question and a recap).
    prize = Fact(4, "La Prix Cristal a récompensé le four d'Odeillo pour ses recherches.", 3, 0, ("Prix Cristal",),
                 0.6, 0.5)
    facts = FactBank([*FACTS[:3], prize, *FACTS[4:]], candidates=12, passages_seen=4, words_read=sum(p.words for p in PASSAGES))
    script = write_script([DOC], FakeLLM(Hosts({"question": ["Le four est grand."] * 3}, planned_questions=False)),
                          ScriptOptions(hosts=HOSTS, minutes=3, seed=3), passages=PASSAGES, bank=facts)
    fixed = [t.text for t in script.turns if t.check.status == "fallback" and t.intent == "question"]
    assert any("le Prix Cristal" in line for line in fixed), fixed
    assert not any("la Prix Cristal" in t.text for t in script.turns)


def test_the_documents_author_reaches_the_script_files(tmp_path):
    from dataclasses import replace as with_field

    book = with_field(DOC, author="Félix Trombe")
    script = write_script([book], FakeLLM(Hosts()), ScriptOptions(hosts=HOSTS, minutes=2.0, seed=3),
                          passages=PASSAGES, bank=bank())
    assert script.sources[0].author == "Félix Trombe"
    _, md = script.save(tmp_path)
    assert f"{DOC.title}, Félix Trombe (odeillo.md)" in md.read_text()
