"""The real documents Causerie was made for (kept outside the repository; skipped when absent)."""

import re
from pathlib import Path

import pytest

from generator.ingest import load

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
FILES = sorted(SAMPLES.glob("*.txt")) if SAMPLES.is_dir() else []

# The samples are private documents kept beside the repository, never in it: CI cannot have them.
pytestmark = [pytest.mark.skipif(not FILES, reason="shared/samples not available"),
              pytest.mark.may_skip("shared/samples not available", "got empty parameter set")]

PHONE = re.compile(r"(?:\+|00)\d[\d .\-()]{7,}\d|\b0[1-9](?:[ .\-]?\d{2}){4}\b|@\d{8,}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


@pytest.fixture(scope="module", params=FILES, ids=[p.name for p in FILES])
def doc(request):
    return load(request.param)


def test_loads_with_text_and_language(doc):
    assert doc.words > 50
    assert doc.language == "fr"
    assert doc.title


def test_no_phone_or_email(doc):
    for field in [doc.text, doc.title, *doc.participants]:
        assert not PHONE.search(field)
        assert not EMAIL.search(field)


def test_no_mojibake_or_web_junk(doc):
    for junk in ("Ã", "â€", "ğŸ", "hashtag#", "PREV", "NEXT", "Follow us", "Laisser un commentaire",
                 "Akismet", "Credits image", "MÉTADONNÉES", "=== CONTENU", "http", "utm_"):
        assert junk not in doc.text


def test_title_not_repeated(doc):
    assert doc.text.count(doc.title[:40]) <= 1
    opening = [line.strip() for line in doc.text.split("\n") if line.strip()][:3]
    assert len(set(opening)) == len(opening)


@pytest.mark.may_skip("not a chat")          # a filter over the samples, nothing missing
def test_chat_samples_name_speakers(doc):
    if doc.kind != "chat":
        pytest.skip("not a chat")
    assert doc.participants
    assert all(" " not in name or name.startswith("Participant") for name in doc.participants)
    speakers = {p.split(" : ", 1)[0] for p in doc.text.split("\n\n") if " : " in p}
    assert speakers & set(doc.participants)
