"""Passages, the outline call and the plan's length, with a fake LLM answering by the schema."""

import json

import pytest

from generator.ingest.document import Document
from generator.writing.factbank import Fact
from generator.writing.guard import FrenchGuard
from generator.writing.outline import Chapter, Outline, chapters_for, group_facts, make_outline
from generator.writing.passages import Passage, split_passages
from generator.writing.plan import WORDS_PER_MINUTE, facts_needed, plan_turns

from conftest import FakeLLM


def facts(n):
    return [Fact(i + 1, f"En {1900 + i}, la ville {i} comptait {100 + i} ponts.", i + 1, 0, (str(1900 + i),),
                 1.0 - i / 100, i / max(1, n)) for i in range(n)]


def outline_for(minutes):
    told = facts(facts_needed(minutes) + 4)
    body = told[1:facts_needed(minutes)]
    return Outline("les ponts", "Les ponts", 1, tuple(
        Chapter(f"partie {i}", tuple(f.id for f in g)) for i, g in enumerate(group_facts(body, chapters_for(minutes))))), told


@pytest.mark.parametrize("minutes", [1, 2, 3, 5, 8])
def test_plan_lands_on_the_requested_length(minutes):
    outline, told = outline_for(minutes)
    turns = plan_turns(outline, told, minutes)
    total = sum(t.words for t in turns)
    assert abs(total - minutes * WORDS_PER_MINUTE) <= 0.2 * minutes * WORDS_PER_MINUTE
    assert all(a.speaker != b.speaker for a, b in zip(turns, turns[1:])), "hosts alternate"
    assert all(t.words <= 24 for t in turns if t.intent == "question"), "questions stay short"


def test_chapters_and_groups_are_bounded_and_in_order():
    assert chapters_for(0.5) == 2 and chapters_for(60) == 6 and chapters_for(3) == 3
    groups = group_facts(facts(7), 3)
    assert [len(g) for g in groups] == [2, 3, 2] and [f.id for g in groups for f in g] == list(range(1, 8))
    assert group_facts(facts(1), 4) == [facts(1)]


def test_outline_call_names_chapters_and_writes_questions():
    told = facts(5)
    passages = [Passage(f.passage, 0, f.text, "Les ponts de la ville" if f.id < 3 else None) for f in told]

    def respond(messages, schema, i):
        n_chapters = schema["properties"]["chapitres"]["minItems"]
        n_questions = schema["properties"]["questions"]["minItems"]
        assert n_questions == 4, "one question per fact but the hook"
        return json.dumps({"sujet": "les ponts de la ville : un plan d'épisode", "titre": "Des ponts et des dates",
                           "chapitres": ["Partie 1"] + ["Des ponts anciens"] * (n_chapters - 1),
                           "questions": ["Et ce pont, il date de quand ?", "Here is a question?",
                                         "Une phrase sans question.", "Q4 : Et le dernier, alors ?"]})
    llm = FakeLLM(respond)
    outline = make_outline(llm, told, passages, hook=told[0], n_chapters=2, seed=1, guard=FrenchGuard())
    assert outline.subject == "les ponts de la ville" and outline.title == "Des ponts et des dates"
    assert outline.hook == 1 and [f for c in outline.chapters for f in c.facts] == [2, 3, 4, 5]
    assert outline.chapters[0].title == "Les ponts de la ville", "a generic title falls back on the heading"
    assert outline.chapters[1].title == "Des ponts anciens"
    assert outline.questions == {2: "Et ce pont, il date de quand ?", 5: "Et le dernier, alors ?"}
    assert len(llm.calls) == 1


def test_outline_without_a_usable_answer_still_has_a_subject_and_titles():
    told = facts(3)
    passages = [Passage(f.passage, 0, f.text, None) for f in told]
    outline = make_outline(FakeLLM(lambda m, s, i: "pas du JSON"), told, passages, hook=told[0], n_chapters=2,
                           seed=1, guard=FrenchGuard())
    assert outline.subject and outline.title and all(c.title for c in outline.chapters)


def doc(text, source="a.txt"):
    return Document(source=source, title="t", text=text, kind="text")


def test_passages_merge_short_paragraphs_and_split_long_ones():
    short = "\n\n".join(f"Paragraphe {i} avec cinq mots." for i in range(40))
    long_para = " ".join(f"Phrase numéro {i} qui dit une chose." for i in range(60))
    passages = split_passages([doc(short), doc(long_para, "b.txt")], target_words=90, max_words=140)
    assert [p.id for p in passages] == list(range(1, len(passages) + 1))
    assert all(p.words <= 140 for p in passages)
    assert {p.doc for p in passages} == {0, 1}
    assert sum(p.words for p in passages) == len(short.split()) + len(long_para.split()), "nothing lost"


def test_an_outline_question_with_a_broken_elision_is_not_kept():
    from generator.writing.guard import FrenchGuard
    from generator.writing.outline import clean_question

    guard = FrenchGuard()
    assert clean_question("Dans quelle région est le site de l'Four solaire d'Odeillo ?", guard) == ""
    assert clean_question("dans quelle région est le site du four solaire d'Odeillo ?", guard) \
        == "Dans quelle région est le site du four solaire d'Odeillo ?"
    assert clean_question(". Quel est le rôle des données ?", guard) == "Quel est le rôle des données ?"
