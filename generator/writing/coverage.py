"""What of the input an episode drew on: the figures behind "chapter 30 of 45 was covered".

A passage is *used* when a turn cites it (what a listener hears rests on it); the
bank's pool is what the fact bank read statements from.
"""

from __future__ import annotations

from collections.abc import Sequence

from .passages import Passage
from .script import Script

THIRDS = ("début", "milieu", "fin")


def _third(position: float) -> int:
    return min(2, int(position * 3))


def of_script(script: Script, passages: Sequence[Passage], pool: Sequence[int] = (), *,
              index_reused: bool = False) -> dict:
    """The coverage section of report.json."""
    cited = {pid for t in script.turns for pid in t.sources}
    documents = []
    for d, source in enumerate(script.sources):
        own = [p for p in passages if p.doc == d]
        used = [p for p in own if p.id in cited]
        sections = list(dict.fromkeys(p.section for p in own if p.section))
        thirds = [0, 0, 0]
        for p in used:
            thirds[_third(p.position)] += 1
        documents.append({
            "title": source.title or source.path,
            "words": sum(p.words for p in own),
            "passages": len(own),
            "passages_used": len(used),
            "thirds": dict(zip(THIRDS, thirds)),
            "sections": len(sections),
            "sections_used": len({p.section for p in used if p.section}),
            "used": [{"passage": p.id, "position": p.position, "section": p.section} for p in used],
        })
    return {
        "words_read": sum(p.words for p in passages),
        "passages_indexed": len(passages),
        "passages_in_bank": len(pool) or len(passages),
        "passages_used": len(cited & {p.id for p in passages}),
        "index_reused": index_reused,
        "documents": documents,
    }


def summary(section: dict) -> str:
    """One line for the terminal, in French."""
    words = f"{section['words_read']:,}".replace(",", "\u202f")
    line = f"{words} mots lus, {section['passages_indexed']} passages indexés, {section['passages_used']} cités"
    thirds = [0, 0, 0]
    chapters = used_chapters = 0
    for doc in section["documents"]:
        for i, name in enumerate(THIRDS):
            thirds[i] += doc["thirds"][name]
        chapters += doc["sections"]
        used_chapters += doc["sections_used"]
    if section["passages_used"]:
        line += " — " + ", ".join(f"{name} {n}" for name, n in zip(THIRDS, thirds))
    if chapters > 1:
        line += f" ; {used_chapters} parties sur {chapters}"
    return line
