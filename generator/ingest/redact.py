"""Privacy: no phone number, e-mail address or chat member's surname reaches the script.

Chat members shown as phone numbers become numbered roles; named members keep only their first
name. The same number written another way ("+33 6 …", "06 …", "@336…" mention) maps to the
same role, so the writer can still tell who is answering whom.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PHONE_PLACEHOLDER = "[numéro masqué]"
EMAIL_PLACEHOLDER = "[e-mail masqué]"
MENTION_PLACEHOLDER = "un participant"
ROLE = "Participant {n}"

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")

PHONE = re.compile(
    r"@\+?\d{8,15}(?!\d)"                                             # WhatsApp mention "@33698765432"
    r"|(?<![\w+])(?:\+|00)[1-9]\d{0,2}(?:[ .\-]?\(0\))?(?:[ .\-]?\(?\d{1,4}\)?){2,7}(?!\d)"  # international
    r"|(?<![\w+.,/])0[1-9](?:[ .\-]?\d{2}){4}(?![\d])"                 # French national: 06 12 34 56 78
    r"|(?<![\w])\(\d{3}\)\s?\d{3}[-.\s]\d{4}(?!\d)"                   # North American: (555) 123-4567
)

_HONORIFICS = {"m", "m.", "mme", "mlle", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "pr", "pr.", "me"}


def phone_key(text: str) -> str | None:
    """Comparable form of a phone number: its last nine digits (drops +33 / 0 / 00 prefixes)."""
    digits = re.sub(r"\D", "", text)
    return digits[-9:] if len(digits) >= 8 else None


def is_phone(text: str) -> bool:
    stripped = text.strip()
    match = PHONE.fullmatch(stripped)
    return bool(match) and 8 <= len(re.sub(r"\D", "", stripped)) <= 15


def first_name(name: str) -> str | None:
    """"Jean-Luc Morel" -> "Jean-Luc"; None when no usable first name (initials, symbols)."""
    tokens = [re.sub(r"^[^\w]+|[^\w.'’-]+$", "", token) for token in name.split()]
    tokens = [t for t in tokens if t and any(c.isalpha() for c in t) and t.casefold() not in _HONORIFICS]
    if not tokens:
        return None
    first = tokens[0].rstrip(".")
    return None if len(first) < 2 else first


@dataclass
class Redactor:
    """Applies one document's redactions; keep a single instance per document for stable roles."""

    participants: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {"phone": 0, "email": 0})

    def __post_init__(self) -> None:
        self._by_phone: dict[str, str] = {}     # phone key -> role
        self._by_name: dict[str, str] = {}      # name as written -> first name or role
        roles = 0
        by_first: dict[str, list[str]] = {}
        for raw in self.participants:
            if is_phone(raw):
                key = phone_key(raw) or raw
                if key not in self._by_phone:
                    roles += 1
                    self._by_phone[key] = ROLE.format(n=roles)
            elif (first := first_name(raw)) is None:
                if raw not in self._by_name:
                    roles += 1
                    self._by_name[raw] = ROLE.format(n=roles)
            elif raw not in by_first.setdefault(first, []):
                by_first[first].append(raw)
        for first, raws in by_first.items():
            if len(raws) == 1:
                self._by_name[raws[0]] = first
                continue
            # Two members called Jean: keep them apart with an initial, never the full surname,
            # or with a number when the initials collide too.
            initials = []
            for raw in raws:
                rest = [t for t in raw.split()[1:] if t[:1].isalpha()]
                initials.append(f"{first} {rest[0][0].upper()}." if rest else first)
            if len(set(initials)) < len(initials):
                initials = [f"{first} {n}" for n in range(1, len(raws) + 1)]
            self._by_name.update(zip(raws, initials))
        self.aliases = list(dict.fromkeys(self.alias(raw) for raw in self.participants))

    def alias(self, raw: str) -> str:
        """What a participant is called once redacted."""
        if is_phone(raw):
            return self._by_phone[phone_key(raw) or raw]
        return self._by_name[raw]

    def __call__(self, text: str) -> str:
        if not text:
            return text
        text = EMAIL.sub(self._email, text)
        text = self._names(text)
        return PHONE.sub(self._phone, text)

    def _email(self, match: re.Match[str]) -> str:
        self.counts["email"] += 1
        return EMAIL_PLACEHOLDER

    def _phone(self, match: re.Match[str]) -> str:
        found = match.group(0)
        digits = re.sub(r"\D", "", found)
        if not found.startswith(("@", "(")) and found[:1] in "+0" and not 8 <= len(digits) <= 15:
            return found                     # "+1 500 000" is a count, not a number to hide
        self.counts["phone"] += 1
        role = self._by_phone.get(phone_key(found) or "")
        if role:
            return role
        # A mention names a person: "merci à un participant" reads better than a placeholder.
        return MENTION_PLACEHOLDER if found.startswith("@") else PHONE_PLACEHOLDER

    def _names(self, text: str) -> str:
        # Longest first, so "Jean Dupont" is replaced before a member called plain "Jean".
        for raw in sorted(self._by_name, key=len, reverse=True):
            alias = self._by_name[raw]
            if raw == alias:
                text = re.sub(rf"@{re.escape(raw)}\b", alias, text)
                continue
            text = re.sub(rf"@?(?<![\w]){re.escape(raw)}(?![\w])", alias, text)
        return text
