"""The two hosts. Roles follow the order given: first the curious one, then the expert."""

from __future__ import annotations

from .errors import UserError
from .writing.script import Host

ROLES = ("l'esprit curieux qui découvre le sujet avec l'auditeur", "l'expert qui connaît le dossier")


def parse_hosts(value: str | tuple[str, ...] | list[str]) -> tuple[Host, Host]:
    names = value.split(",") if isinstance(value, str) else list(value)
    names = [n.strip() for n in names if n and n.strip()]
    if len(names) != 2 or names[0].casefold() == names[1].casefold():
        raise UserError("--hosts needs two different names separated by a comma, e.g. --hosts Camille,Thomas")
    return Host(name=names[0], role=ROLES[0]), Host(name=names[1], role=ROLES[1])
