"""`causerie ask`: answers from the episode's passage index, checked, cited, saved and spoken.

The fake LLM answers by the request's structure (a schema with a "reponse" field); the
end-to-end test runs the real tiny model and the `tone` voices through the CLI.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator.ask import Asker
from generator.errors import UserError
from generator.hosts import parse_hosts
from generator.ingest.document import Document, Section
from generator.retrieval import open_index
from generator.writing.passages import split_passages
from generator.writing.script import Script, SourceInfo, Turn

REPO = Path(__file__).resolve().parents[1]
SECTIONS = [
    ("La colonie", "Une colonie d'abeilles compte jusqu'à 50 000 ouvrières en été. La reine pond près de 2 000 œufs "
                   "par jour au printemps, et les ouvrières vivent environ six semaines pendant la saison chaude."),
    ("Le miel", "Pour produire un kilogramme de miel, les butineuses visitent environ quatre millions de fleurs. "
                "Le nectar est réduit par évaporation dans les alvéoles jusqu'à ce qu'il contienne moins de 18 % d'eau."),
    ("Le frelon", "Le frelon asiatique, observé pour la première fois dans le Lot-et-Garonne en 2004, chasse les "
                  "abeilles devant l'entrée des ruches et peut décimer un rucher en quelques semaines."),
]
TITLE = "La vie des abeilles"


def make_episode(folder: Path) -> Path:
    """An episode folder as `causerie script` leaves it: script.json and the passage index."""
    text = "\n\n".join(f"{t}\n\n{b}" for t, b in SECTIONS)
    doc = Document("abeilles.md", TITLE, text, "markdown", "fr", [Section(t, b) for t, b in SECTIONS])
    passages = split_passages([doc], target_words=25, max_words=45)
    hosts = parse_hosts("Camille,Thomas")
    script = Script(title=TITLE, subject="la vie des abeilles", hosts=list(hosts),
                    sources=[SourceInfo(path="abeilles.md", title=TITLE, kind="markdown", language="fr", words=doc.words)],
                    turns=[Turn(speaker="Camille", text="Bonjour et bienvenue !", segment=0, intent="accroche")],
                    generation={"model": "smollm2-135m", "seed": 42})
    script.save(folder)
    open_index(folder / "index", passages)
    return folder


def answering(text: str):
    def respond(messages, schema, call):
        assert schema is not None and "reponse" in schema["properties"]
        return json.dumps({"reponse": text, "present": True}, ensure_ascii=False)
    return respond


@pytest.fixture
def episode(tmp_path):
    return make_episode(tmp_path / "abeilles")


def test_an_answer_from_the_documents_is_checked_cited_and_saved(episode, fake_llm):
    llm = fake_llm(answering("Une colonie compte jusqu'à 50 000 ouvrières en été. C'est la reine qui pond."))
    asker = Asker(episode, llm)
    answer = asker.answer("Combien d'ouvrières vivent dans une colonie ?")
    assert answer.answered and answer.how == "model"
    asking, reply = answer.turns
    assert asking.speaker == "Camille" and "Combien d'ouvrières" in asking.text
    assert reply.speaker == "Thomas" and reply.text.startswith("Une colonie compte jusqu'à 50 000 ouvrières")
    assert "50 000" in answer.cited[0]["text"] and answer.cited[0]["section"] == "La colonie"
    assert reply.sources[0] == answer.cited[0]["passage"]
    json_path, md_path = asker.save(answer)
    assert json_path.name == "ask-1.json" and md_path.name == "ask-1.md"
    saved = json.loads(json_path.read_text())
    assert saved["question"] == "Combien d'ouvrières vivent dans une colonie ?" and saved["answered"] is True
    assert "**Thomas** : Une colonie" in md_path.read_text()
    # The model's prompt holds the retrieved passages, not the whole input.
    prompt = llm.calls[0]["messages"][0]["content"]
    assert "50 000 ouvrières" in prompt
    assert asker.answer("Et la reine ?").number == 2


def test_a_compliment_before_the_answer_is_cut(episode, fake_llm):
    llm = fake_llm(answering("C'est une excellente question ! Une colonie compte jusqu'à 50 000 ouvrières en été."))
    reply = Asker(episode, llm).answer("Combien d'ouvrières vivent dans une colonie ?").turns[1]
    assert reply.text.startswith("Une colonie compte jusqu'à 50 000 ouvrières")


def test_an_invented_figure_is_replaced_by_the_documents_own_sentence(episode, fake_llm):
    llm = fake_llm(answering("Une colonie compte 90 000 ouvrières et 300 reines."))
    answer = Asker(episode, llm).answer("Combien d'ouvrières vivent dans une colonie ?")
    assert answer.answered and answer.how == "extract"
    reply = answer.turns[1].text
    assert "90 000" not in reply and "50 000 ouvrières" in reply
    assert reply.startswith(f"D'après « {TITLE} », une colonie")
    assert len(llm.calls) == 2, "regenerated once before falling back on the source"


def test_a_question_the_documents_do_not_answer_gets_an_honest_no(episode, fake_llm):
    llm = fake_llm(answering("La France a gagné en 2018."))
    for question in ("Qui a gagné la coupe du monde de football en 2018 ?", "Quelle est la recette des crêpes ?"):
        answer = Asker(episode, llm).answer(question)
        assert not answer.answered and answer.how == "absent" and not answer.cited
        assert answer.turns[1].text.startswith("Les documents n'en parlent pas")
    assert llm.calls == [], "no model call to tempt an invention"


def test_an_episode_without_index_or_question_says_what_to_do(tmp_path, episode, fake_llm):
    bare = tmp_path / "bare"
    Script.load(episode / "script.json").save(bare)
    with pytest.raises(UserError, match="no passage index"):
        Asker(bare, fake_llm(answering("")))
    with pytest.raises(UserError, match="no script.json"):
        Asker(tmp_path / "nowhere", fake_llm(answering("")))
    with pytest.raises(UserError, match="question"):
        Asker(episode, fake_llm(answering(""))).answer("  ?  ")


@pytest.mark.slow
def test_ask_command_answers_and_speaks_with_the_tiny_model(episode):
    run = subprocess.run([sys.executable, "-m", "generator.cli", "ask", str(episode),
                          "Quand a-t-on observé le frelon asiatique la première fois ?", "--model", "smollm2-135m",
                          "--engine", "tone"], capture_output=True, text=True, cwd=REPO, timeout=600)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(episode / "ask-1.mp3") and (episode / "ask-1.mp3").stat().st_size > 1000
    saved = json.loads((episode / "ask-1.json").read_text())
    assert saved["answered"] and saved["audio"] == "ask-1.mp3"
    # SmolLM2 writes word salad: whatever it said, what is kept carries the documents' fact.
    assert "2004" in saved["turns"][1]["text"]
    assert "Thomas" in run.stderr and "sources" in run.stderr
    # Interactive: one model load, one question after another until an empty line.
    session = subprocess.run([sys.executable, "-m", "generator.cli", "ask", str(episode), "--interactive",
                              "--model", "smollm2-135m", "--no-audio"], input="Combien de fleurs pour un kilo de miel ?\n"
                             "Qui a gagné la coupe du monde de football en 2018 ?\n\n", capture_output=True, text=True,
                             cwd=REPO, timeout=600)
    assert session.returncode == 0, session.stderr
    assert session.stdout.split() == [str(episode / "ask-2.md"), str(episode / "ask-3.md")]
    assert json.loads((episode / "ask-2.json").read_text())["answered"]
    assert not json.loads((episode / "ask-3.json").read_text())["answered"]
    assert not (episode / "ask-2.mp3").exists()
    bad = subprocess.run([sys.executable, "-m", "generator.cli", "ask", str(episode)], capture_output=True,
                         text=True, cwd=REPO, timeout=120)
    assert bad.returncode == 2 and "--interactive" in bad.stderr and "Traceback" not in bad.stderr
