"""WhatsApp exports (Android, iOS, our chunk wrapper), recognised by content whatever the file name."""

import pytest

from generator.ingest import load
from generator.ingest.formats.whatsapp import looks_like_chat, parse, render

ANDROID_FR = """\
03/05/2024, 09:12 - Les messages et les appels sont chiffrés de bout en bout. Personne en dehors de ce groupe ne peut les lire.
03/05/2024, 09:12 - Alice Martin a créé le groupe « Vélo »
03/05/2024, 09:13 - Alice Martin a ajouté Bruno
03/05/2024, 09:14 - Alice Martin: Qui vient dimanche pour la sortie ?
Départ prévu à 8 h devant la gare.
03/05/2024, 09:15 - Bruno Lefèvre: <Médias omis>
03/05/2024, 09:15 - Bruno Lefèvre: Moi ! Je prends la route des crêtes <Ce message a été modifié>
03/05/2024, 09:16 - +33 6 11 22 33 44: Ce message a été supprimé
03/05/2024, 09:17 - +33 6 11 22 33 44: Je serai en retard, partez sans moi
03/05/2024, 09:18 - Bruno Lefèvre a quitté
"""

IOS_EN = (
    "\u200e[5/3/24, 9:12:01\u202fAM] Cycling: \u200eMessages and calls are end-to-end encrypted. No one outside of this chat can read them.\n"
    "\u200e[5/3/24, 9:12:30\u202fAM] Cycling: \u200eAlice Martin added Bruno\n"
    "[5/3/24, 9:14:02\u202fAM] Alice Martin: Who is coming on Sunday?\n"
    "We leave at 8 from the station.\n"
    "\u200e[5/3/24, 9:15:10\u202fAM] Bruno Lefèvre: \u200eimage omitted\n"
    "[5/3/24, 9:15:40\u202fAM] Bruno Lefèvre: Me! I will take the ridge road\n"
    "[5/3/24, 9:16:00\u202fAM] ~\u202fCarla: This message was deleted\n"
    "[5/3/24, 9:16:30\u202fAM] ~\u202fCarla: Count me in <This message was edited>\n"
)


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_android_french_export(tmp_path):
    doc = load(_write(tmp_path, "notes du groupe.txt", ANDROID_FR))
    assert doc.kind == "chat"
    assert doc.participants == ["Alice", "Bruno", "Participant 1"]
    assert doc.text.split("\n\n") == [
        "Alice : Qui vient dimanche pour la sortie ?\nDépart prévu à 8 h devant la gare.",
        "Bruno : Moi ! Je prends la route des crêtes",
        "Participant 1 : Je serai en retard, partez sans moi",
    ]
    assert doc.redactions["phone"] == 1
    assert doc.language == "fr"


def test_ios_english_export(tmp_path):
    doc = load(_write(tmp_path, "_chat.txt", IOS_EN))
    assert doc.kind == "chat"
    assert doc.participants == ["Alice", "Bruno", "Carla"]
    assert doc.text.split("\n\n") == [
        "Alice : Who is coming on Sunday?\nWe leave at 8 from the station.",
        "Bruno : Me! I will take the ridge road",
        "Carla : Count me in",
    ]
    assert doc.language == "en"
    for gone in ("encrypted", "added", "omitted", "deleted", "edited", "Cycling", "Martin", "Lefèvre"):
        assert gone not in doc.text


@pytest.mark.parametrize("line", [
    "14/02/2025 à 20:27 - Alice: bonjour à tous",
    "2/14/25, 8:27 PM - Alice: bonjour à tous",
    "2/14/25, 8:27\u202fpm - Alice: bonjour à tous",
    "14.02.25, 20:27 - Alice: bonjour à tous",
    "14/02/2025,20:27 - Alice: bonjour à tous",
    "[14/02/2025 20:27:13] Alice: bonjour à tous",
    "\u200e[14/02/2025, 20:27:13] Alice: bonjour à tous",
])
def test_header_variants(line):
    messages = parse(line + "\n" + line.replace("Alice", "Bruno"))
    assert [(m.sender, m.text) for m in messages] == [("Alice", "bonjour à tous"), ("Bruno", "bonjour à tous")]


def test_chunk_wrapper_dropped_and_leading_fragment_kept(tmp_path):
    text = (
        "=== MÉTADONNÉES CHUNK ===\nPériode: null → null\nParticipants: \nTopics: \nTokens: 80\nMessages: 2\n\n"
        "=== CONTENU ===\n"
        "fin d'un message commencé dans le morceau précédent.\n"
        "Deuxième ligne de ce message.\n"
        "01/03/2025, 10:00 - Alice Martin: Une nouvelle remarque.\n"
        "01/03/2025, 10:05 - +33 7 00 11 22 33: Merci @33700112233 !\n"
    )
    # The wrapper arrives double-encoded too: read it back the way the samples are stored.
    path = tmp_path / "chunk_001.txt"
    path.write_text(text.encode("utf-8").decode("cp1254"), encoding="utf-8")
    doc = load(path)
    assert doc.kind == "chat"
    assert doc.text.split("\n\n") == [
        "fin d'un message commencé dans le morceau précédent.\nDeuxième ligne de ce message.",
        "Alice : Une nouvelle remarque.",
        "Participant 1 : Merci Participant 1 !",
    ]
    for gone in ("MÉTADONNÉES", "CONTENU", "Tokens", "Période", "Ã"):
        assert gone not in doc.text


def test_consecutive_messages_of_one_sender_are_one_turn():
    text, participants = render(parse(
        "01/03/2025, 10:00 - Alice: premier\n01/03/2025, 10:01 - Alice: second\n01/03/2025, 10:02 - Bruno: réponse\n"
    ))
    assert text == "Alice : premier\nsecond\n\nBruno : réponse"
    assert participants == ["Alice", "Bruno"]


def test_system_line_continuations_are_not_glued_to_previous_message():
    messages = parse("01/03/2025, 10:00 - Alice: bonjour\n01/03/2025, 10:01 - Bruno a quitté\nsuite orpheline\n")
    assert [m.text for m in messages] == ["bonjour"]


def test_event_with_colon_in_quoted_subject_is_not_a_message():
    messages = parse("01/03/2025, 10:00 - Alice a changé le sujet en « Réunion : lundi »\n"
                     "01/03/2025, 10:01 - Alice: Voilà le nouveau sujet : lundi\n")
    assert [(m.sender, m.text) for m in messages] == [("Alice", "Voilà le nouveau sujet : lundi")]


def test_message_talking_about_leaving_is_kept():
    messages = parse("01/03/2025, 10:00 - Alice: Bruno left early, he added a note\n"
                     "01/03/2025, 10:01 - Bruno: oui\n")
    assert [m.text for m in messages] == ["Bruno left early, he added a note", "oui"]


def test_detection_is_by_content_not_name(tmp_path):
    prose = "Le 01/03/2025, 10:00 - rendez-vous: tout le monde était là.\nPuis la réunion a commencé.\n" * 3
    assert not looks_like_chat(prose)
    assert looks_like_chat(ANDROID_FR)
    assert load(_write(tmp_path, "WhatsApp Chat with Vélo.txt", ANDROID_FR)).title == "Discussion WhatsApp « Vélo »"
    assert load(_write(tmp_path, "journal.txt", prose)).kind == "text"


def test_redact_false_keeps_names_and_numbers(tmp_path):
    doc = load(_write(tmp_path, "a.txt", ANDROID_FR), redact=False)
    assert doc.participants == ["Alice Martin", "Bruno Lefèvre", "+33 6 11 22 33 44"]
    assert "+33 6 11 22 33 44 : Je serai en retard" in doc.text
    assert doc.redactions == {}


def test_android_bidi_wrapped_phone_sender_and_utf16(tmp_path):
    # Android wraps unknown numbers in U+202A/U+202C; Windows tools sometimes save as UTF-16.
    text = ("01/03/2025, 10:00 - \u202a+33 6 98 76 54 32\u202c: Bonjour à tous, voici le compte rendu.\n"
            "01/03/2025, 10:02 - Alice Martin: Merci \u202a+33 6 98 76 54 32\u202c !\n")
    doc = load(_write(tmp_path, "export.txt", text, encoding="utf-16"))
    assert doc.kind == "chat"
    assert doc.participants == ["Participant 1", "Alice"]
    assert doc.text == "Participant 1 : Bonjour à tous, voici le compte rendu.\n\nAlice : Merci Participant 1 !"
    assert doc.redactions["phone"] == 2


def test_homonyms_with_same_initial_are_numbered():
    from generator.ingest.redact import Redactor

    redactor = Redactor(["Jean Dupont", "Jean Durand", "Marie Curie"])
    assert redactor.aliases == ["Jean 1", "Jean 2", "Marie"]
