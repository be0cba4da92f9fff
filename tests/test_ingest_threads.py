"""A chat export falls into threads where the group went silent for more than THREAD_GAP."""

from datetime import datetime

from generator.ingest import load
from generator.ingest.formats.chat_threads import THREAD_GAP, french_title, thread_starts, times
from generator.ingest.formats.whatsapp import parse, threads

ANDROID = """\
17/03/2024, 09:12 - Alice Martin: On se retrouve où pour la sortie ?
17/03/2024, 09:20 - Bruno Lefèvre: Devant la gare, comme d'habitude.
17/03/2024, 09:21 - Bruno Lefèvre: Appelle-moi au 06 12 34 56 78 si besoin.
17/03/2024, 14:30 - Alice Martin: Quelqu'un a vu la météo pour demain ?
17/03/2024, 14:45 - Carla: Pluie le matin, soleil l'après-midi.
18/03/2024, 08:00 - Bruno Lefèvre: Bon courage à tous pour la semaine.
"""


def _write(tmp_path, text, name="discussion.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_android_export_splits_at_long_silences(tmp_path):
    doc = load(_write(tmp_path, ANDROID))
    assert doc.kind == "chat"
    assert [s.title for s in doc.sections] == [
        "Le 17 mars 2024, 9 h 12", "Le 17 mars 2024, 14 h 30", "Le 18 mars 2024, 8 h"]
    assert [s.text for s in doc.sections] == [
        "Alice : On se retrouve où pour la sortie ?\n\n"
        "Bruno : Devant la gare, comme d'habitude.\nAppelle-moi au [numéro masqué] si besoin.",
        "Alice : Quelqu'un a vu la météo pour demain ?\n\nCarla : Pluie le matin, soleil l'après-midi.",
        "Bruno : Bon courage à tous pour la semaine.",
    ]
    assert doc.participants == ["Alice", "Bruno", "Carla"]
    assert doc.redactions["phone"] == 1
    assert doc.text.startswith("Le 17 mars 2024, 9 h 12\n\nAlice : On se retrouve")
    assert "\n\nLe 18 mars 2024, 8 h\n\nBruno : Bon courage" in doc.text


def test_ios_us_export_reads_month_first_and_twelve_hour_clock(tmp_path):
    text = ("[3/17/24, 9:12:01\u202fPM] Alice: Qui vient demain ?\n"
            "[3/17/24, 9:40:00\u202fPM] Bruno: Moi, si le temps le permet.\n"
            "[3/18/24, 7:05:10\u202fAM] Alice: Il pleut, on annule.\n")
    doc = load(_write(tmp_path, text, "_chat.txt"))
    assert [s.title for s in doc.sections] == ["Le 17 mars 2024, 21 h 12", "Le 18 mars 2024, 7 h 05"]


def test_ios_french_export_with_seconds():
    messages = parse("[17/03/2024 09:12:13] Alice: bonjour\n[17/03/2024 12:13:00] Bruno: bonjour\n"
                     "[17/03/2024 12:13:14] Alice: re\n")
    assert [s.title for s in threads(messages)] == ["Le 17 mars 2024, 9 h 12", "Le 17 mars 2024, 12 h 13"]


def test_gap_threshold_is_strict():
    assert THREAD_GAP.total_seconds() == 3 * 3600
    at = [datetime(2024, 3, 17, 9, 0), datetime(2024, 3, 17, 12, 0), datetime(2024, 3, 17, 15, 1)]
    assert thread_starts(at) == [0, 2]


def test_unreadable_timestamps_stay_in_the_current_thread():
    messages = parse("17/03/2024, 09:00 - Alice: un\n"
                     "31/02/2024, 23:00 - Bruno: date impossible\n"
                     "17/03/2024, 10:00 - Alice: deux\n"
                     "17/03/2024, 18:00 - Bruno: trois\n")
    when = times([m.stamp for m in messages])
    assert when[1] is None
    sections = threads(messages)
    assert [s.title for s in sections] == ["Le 17 mars 2024, 9 h", "Le 17 mars 2024, 18 h"]
    assert sections[0].text == "Alice : un\n\nBruno : date impossible\n\nAlice : deux"


def test_chunk_fragment_without_header_opens_the_first_thread(tmp_path):
    text = ("=== MÉTADONNÉES CHUNK ===\nMessages: 3\n\n=== CONTENU ===\n"
            "la fin d'un message d'avant.\n"
            "01/03/2025, 10:00 - Alice: Une remarque.\n"
            "01/03/2025, 20:00 - Bruno: Une autre, le soir.\n")
    doc = load(_write(tmp_path, text, "chunk_002.txt"))
    assert [s.title for s in doc.sections] == ["Le 1er mars 2025, 10 h", "Le 1er mars 2025, 20 h"]
    assert doc.sections[0].text == "la fin d'un message d'avant.\n\nAlice : Une remarque."


def test_one_conversation_stays_one_untitled_section(tmp_path):
    doc = load(_write(tmp_path, "17/03/2024, 09:12 - Alice: bonjour\n17/03/2024, 11:00 - Bruno: salut\n"))
    assert [(s.title, s.text) for s in doc.sections] == [(None, "Alice : bonjour\n\nBruno : salut")]


def test_day_and_month_order_decided_per_file():
    # "03/05/2024" alone is ambiguous; "13/05/2024" in the same file settles it.
    when = times([("03/05/2024", "09:00"), ("13/05/2024", "09:00"), ("2024-05-14", "9h30")])
    assert when == [datetime(2024, 5, 3, 9), datetime(2024, 5, 13, 9), datetime(2024, 5, 14, 9, 30)]
    assert times([("5/13/24", "8:27 PM")]) == [datetime(2024, 5, 13, 20, 27)]
    assert times([("14.02.25", "20.27")]) == [datetime(2025, 2, 14, 20, 27)]


def test_french_title():
    assert french_title(datetime(2024, 3, 1, 9, 0)) == "Le 1er mars 2024, 9 h"
    assert french_title(datetime(2024, 8, 17, 21, 5)) == "Le 17 août 2024, 21 h 05"
