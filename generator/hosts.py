"""The two hosts. Roles follow the order given: first the curious one, then the expert; the
grammatical gender of each comes from their voices file (see speech/voices.py)."""

from __future__ import annotations

from .errors import UserError
from .speech.engine import SpeechError
from .speech.voices import host_gender
from .writing.script import Host

ROLES = ("l'esprit curieux qui découvre le sujet avec l'auditeur", "l'expert qui connaît le dossier")


def parse_hosts(value: str | tuple[str, ...] | list[str]) -> tuple[Host, Host]:
    names = value.split(",") if isinstance(value, str) else list(value)
    names = [n.strip() for n in names if n and n.strip()]
    if len(names) != 2 or names[0].casefold() == names[1].casefold():
        raise UserError("--hosts needs two different names separated by a comma, e.g. --hosts Camille,Thomas")
    try:
        genders = [host_gender(n, i) for i, n in enumerate(names)]
    except SpeechError as exc:
        raise UserError(str(exc)) from None
    return (Host(name=names[0], role=ROLES[0], gender=genders[0]),
            Host(name=names[1], role=ROLES[1], gender=genders[1]))
