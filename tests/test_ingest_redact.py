"""Phone numbers, e-mails and chat members' names never reach Document.text."""

import re

import pytest

from generator.ingest.redact import EMAIL_PLACEHOLDER, PHONE_PLACEHOLDER, Redactor, first_name, is_phone


@pytest.mark.parametrize("number", [
    "+33 6 12 34 56 78",
    "+33612345678",
    "+33 (0)6 12 34 56 78",
    "0033 6 12 34 56 78",
    "06 12 34 56 78",
    "06.12.34.56.78",
    "06-12-34-56-78",
    "0612345678",
    "+44 20 7946 0958",
    "+1 (415) 555-0132",
    "(415) 555-0132",
])
def test_phone_formats_are_masked(number):
    redactor = Redactor()
    out = redactor(f"Appelle-moi au {number} demain.")
    assert out == f"Appelle-moi au {PHONE_PLACEHOLDER} demain."
    assert redactor.counts["phone"] == 1


@pytest.mark.parametrize("text", [
    "Le 14/02/2025 à 08:27, il faisait 12 degrés.",
    "Un budget de 8,5 milliards et 100 000 jetons.",
    "Il y avait +1 500 personnes, soit 20 % de plus qu'en 2024.",
    "Version 3.1 405B, 10GW, 240 KW.",
])
def test_numbers_that_are_not_phones_survive(text):
    redactor = Redactor()
    assert redactor(text) == text
    assert redactor.counts["phone"] == 0


def test_emails_masked_and_counted():
    redactor = Redactor()
    out = redactor("Écrire à jean.dupont+podcast@exemple.fr ou à contact@sub.example.co.uk.")
    assert out == f"Écrire à {EMAIL_PLACEHOLDER} ou à {EMAIL_PLACEHOLDER}."
    assert redactor.counts == {"phone": 0, "email": 2}


def test_mention_of_number_becomes_unnamed_person():
    redactor = Redactor()
    out = redactor("Merci à @33698765432 pour le partage")
    assert "33698765432" not in out and "@" not in out
    assert out == "Merci à un participant pour le partage"
    assert redactor.counts["phone"] == 1


def test_phone_participants_become_stable_roles_across_formats():
    redactor = Redactor(["+33 6 11 22 33 44", "Marie Curie", "+33 7 55 66 77 88"])
    assert redactor.aliases == ["Participant 1", "Marie", "Participant 2"]
    text = ("+33 6 11 22 33 44 : bonjour\n\n+33 7 55 66 77 88 : salut @33611223344\n\n"
            "Marie Curie : et le 06 11 22 33 44 ?")
    out = redactor(text)
    assert out == ("Participant 1 : bonjour\n\nParticipant 2 : salut Participant 1\n\n"
                   "Marie : et le Participant 1 ?")
    assert redactor.counts["phone"] == 4
    assert not re.search(r"\d{2} \d{2} \d{2}", out)


def test_full_names_reduced_to_first_name_everywhere():
    redactor = Redactor(["Jean-Luc Morel", "Soline"])
    out = redactor("Jean-Luc Morel : comme dit @Soline, voir Jean-Luc Morel.")
    assert out == "Jean-Luc : comme dit Soline, voir Jean-Luc."
    assert redactor.aliases == ["Jean-Luc", "Soline"]


def test_homonym_first_names_kept_apart_with_initial():
    redactor = Redactor(["Jean Dupont", "Jean Martin"])
    assert redactor.aliases == ["Jean D.", "Jean M."]
    assert redactor("Jean Martin : oui") == "Jean M. : oui"


@pytest.mark.parametrize("name, expected", [
    ("Jean-Luc Morel", "Jean-Luc"),
    ("~ Soline", "Soline"),
    ("Dr. Alice Martin", "Alice"),
    ("🌸 Marie Dupont", "Marie"),
    ("J. Dupont", None),
])
def test_first_name(name, expected):
    assert first_name(name) == expected


def test_unusable_name_becomes_role():
    redactor = Redactor(["J. Dupont"])
    assert redactor.aliases == ["Participant 1"]
    assert redactor("J. Dupont : ok") == "Participant 1 : ok"


def test_is_phone():
    assert is_phone("+33 7 87 00 00 00")
    assert not is_phone("Jean")
    assert not is_phone("2025")
