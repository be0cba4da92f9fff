"""Language of a document, restricted to the two the podcast pipeline handles."""

from __future__ import annotations

from functools import lru_cache

LANGUAGES = ("fr", "en")
DEFAULT = "fr"
_SAMPLE = 5000          # characters: plenty for a stable guess, keeps big books fast


@lru_cache(maxsize=1)
def _identifier():
    # Loading the model takes about a second: only when the first document needs it.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect(text: str) -> str:
    sample = text[:_SAMPLE]
    if sum(c.isalpha() for c in sample) < 20:
        return DEFAULT
    language, _ = _identifier().classify(sample)
    return language if language in LANGUAGES else DEFAULT
