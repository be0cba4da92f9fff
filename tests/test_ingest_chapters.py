"""Chapter headings in plain text become sections; texts written here."""

import pytest

from generator.ingest import load
from generator.ingest.chapters import MIN_WORDS, split

PROSE = ("Le matin se leva sur la vallée encore humide de la pluie de la veille, et les bergers "
         "descendirent lentement vers le village avec leurs troupeaux, en parlant à voix basse du "
         "temps qu'il ferait pendant la foire du dimanche suivant.")
assert len(PROSE.split()) >= MIN_WORDS


def chapter(n: int) -> str:
    return f"Premier paragraphe du chapitre {n}. {PROSE}\n\n{PROSE}\nDernière ligne du chapitre {n}."


@pytest.mark.parametrize("headings", [
    ["CHAPTER I", "CHAPTER II", "CHAPTER III"],
    ["Chapter 12", "Chapter 13", "Chapter 14"],
    ["Chapter 3: The Title", "Chapter 4: Another Title", "Chapter 5: The End"],
    ["CHAPITRE PREMIER", "CHAPITRE DEUXIÈME", "CHAPITRE III"],
    ["Chapitre 1.", "Chapitre 2.", "Chapitre 3."],
    ["Chapitre 1. Didacticiels GNU/Linux", "Chapitre 2. Gestion des paquets Debian", "Chapitre 3. L'initialisation du système"],
    ["LIVRE PREMIER", "LIVRE DEUXIÈME", "LIVRE TROISIÈME"],
    ["PREMIÈRE PARTIE", "DEUXIÈME PARTIE", "TROISIÈME PARTIE"],
    ["BOOK I", "BOOK II", "BOOK III"],
    ["PART ONE", "PART TWO", "PART THREE"],
    ["I.", "II.", "XII."],
    ["I", "IV", "IX"],
])
def test_heading_styles_become_sections(headings):
    text = "\n\n\n".join(f"{h}\n\n{chapter(n)}" for n, h in enumerate(headings, start=1))
    sections = split("Un préambule avant tout.\n\n\n" + text)
    assert [s.title for s in sections] == [None, *headings]
    assert sections[0].text == "Un préambule avant tout."
    for n, section in enumerate(sections[1:], start=1):
        assert section.text == chapter(n)


def test_two_roman_numerals_are_not_enough():
    text = f"I.\n\n{chapter(1)}\n\nII.\n\n{chapter(2)}"
    assert split(text)[0].title is None and len(split(text)) == 1


def test_heading_with_title_on_next_line_or_next_capitalised_paragraph():
    text = (f"CHAPTER I.\nThe Storm\n\n{chapter(1)}\n\n"
            f"CHAPITRE II\n\nLE DÉPART\n\n{chapter(2)}\n\n"
            f"CHAPITRE III\n\n{chapter(3)}")
    assert [s.title for s in split(text)] == ["CHAPTER I. The Storm", "CHAPITRE II. LE DÉPART", "CHAPITRE III"]
    assert split(text)[1].text == chapter(2)


def test_prose_lines_starting_like_headings_are_not_headings():
    text = (f"{PROSE}\n\nChapter 12 covers the rest of the story.\n\n{PROSE}\n\n"
            f"Part of the problem was the rain.\n\n{PROSE}\n\nLe chapitre 2 commence ici.\n\n{PROSE}")
    assert split(text) == [split(text)[0]] and split(text)[0].title is None


def test_table_of_contents_makes_no_empty_sections():
    toc = "TABLE DES MATIÈRES\n\nChapitre 1. La pluie\n\nChapitre 2. Le soleil\n\nChapitre 3. La neige\n\n"
    text = toc + "\n\n".join(f"Chapitre {n}. {name}\n\n{chapter(n)}"
                             for n, name in enumerate(["La pluie", "Le soleil", "La neige"], start=1))
    sections = split(text)
    assert [s.title for s in sections] == [None, "Chapitre 1. La pluie", "Chapitre 2. Le soleil", "Chapitre 3. La neige"]
    assert sections[0].text == "TABLE DES MATIÈRES"
    assert all(s.text for s in sections)


def test_table_of_contents_with_subsections_stays_in_the_preamble():
    # As in a manual: each listed chapter followed by its numbered subsections.
    subsections = "\n".join(f"1.{i}. Une sous-partie numéro {i} du chapitre" for i in range(1, 8))
    toc = f"Table des matières\n\nChapitre 1. Didacticiels GNU/Linux\n\n{subsections}\n\nChapitre 2. Gestion des paquets\n\n"
    text = toc + f"Chapitre 1. Didacticiels GNU/Linux\n\n{chapter(1)}\n\nChapitre 2. Gestion des paquets\n\n{chapter(2)}"
    sections = split(text)
    assert [s.title for s in sections] == [None, "Chapitre 1. Didacticiels GNU/Linux", "Chapitre 2. Gestion des paquets"]
    assert sections[0].text.startswith("Table des matières") and "1.7. Une sous-partie" in sections[0].text
    assert sections[1].text == chapter(1)


def test_books_restarting_their_chapter_numbers_keep_every_chapter():
    text = "\n\n".join(f"{h}\n\n{chapter(n)}" for n, h in enumerate(
        ["CHAPITRE I", "CHAPITRE II", "CHAPITRE I", "CHAPITRE II"], start=1))
    assert [s.title for s in split(text)] == ["CHAPITRE I", "CHAPITRE II", "CHAPITRE I", "CHAPITRE II"]


def test_part_heading_names_its_first_chapter_and_short_chapters_merge_upwards():
    text = (f"PREMIÈRE PARTIE\n\nCHAPITRE I\n\n{chapter(1)}\n\n"
            f"LIVRE DEUXIÈME\n\nUne courte épigraphe.\n\nCHAPITRE I\n\n{chapter(2)}\n\n"
            f"CHAPITRE II\n\nUn chapitre de quelques mots seulement.")
    sections = split(text)
    assert [s.title for s in sections] == ["PREMIÈRE PARTIE — CHAPITRE I", "LIVRE DEUXIÈME — CHAPITRE I"]
    assert sections[1].text == f"Une courte épigraphe.\n\n{chapter(2)}\n\nUn chapitre de quelques mots seulement."


def test_short_text_with_heading_words_stays_as_it_was():
    text = "Partie 1\n\nQuelques mots.\n\nPartie 2\n\nEncore quelques mots."
    assert [(s.title, s.text) for s in split(text)] == [(None, text)]


def test_load_txt_book_in_sections_titled_by_first_line(tmp_path):
    path = tmp_path / "livre.txt"
    path.write_text(f"Histoire de la vallée\n\n\nCHAPITRE PREMIER\n\n{chapter(1)}\n\n\nCHAPITRE II\n\n{chapter(2)}\n",
                    encoding="utf-8")
    doc = load(path)
    assert doc.title == "Histoire de la vallée"
    assert [s.title for s in doc.sections] == ["CHAPITRE PREMIER", "CHAPITRE II"]
    assert doc.sections[0].text.startswith("Premier paragraphe du chapitre 1.")
    assert doc.sections[1].text.endswith("Dernière ligne du chapitre 2.")
    assert doc.text.startswith("CHAPITRE PREMIER\n\nPremier paragraphe")


def test_load_gutenberg_book_in_chapters(tmp_path):
    path = tmp_path / "pg.txt"
    path.write_text(
        "The Project Gutenberg EBook of La Vallée, by Jeanne Exemple\n\n"
        "This eBook is for the use of anyone anywhere at no cost and with\nalmost no restrictions whatsoever.\n\n"
        "Title: La Vallée\n\n*** START OF THIS PROJECT GUTENBERG EBOOK LA VALLÉE ***\n\n"
        "Produced by Marie Bénévole\n\n\n\nLA VALLÉE\n\n"
        f"I\n\n{chapter(1)}\n\nII\n\n{chapter(2)}\n\nIII\n\n{chapter(3)}\n\n"
        "End of the Project Gutenberg EBook of La Vallée, by Jeanne Exemple\n\n"
        "*** END OF THIS PROJECT GUTENBERG EBOOK LA VALLÉE ***\n", encoding="utf-8")
    doc = load(path)
    assert (doc.title, doc.author) == ("La Vallée", "Jeanne Exemple")
    assert [s.title for s in doc.sections] == [None, "I", "II", "III"]
    assert doc.sections[0].text == "LA VALLÉE"
    assert doc.sections[-1].text.endswith("Dernière ligne du chapitre 3.")
    assert "Gutenberg" not in doc.text and "Bénévole" not in doc.text


def test_heading_title_must_be_short():
    long_title = "Chapitre 1. " + " ".join(["mot"] * 20)
    text = f"{long_title}\n\n{chapter(1)}\n\nChapitre 2.\n\n{chapter(2)}"
    assert [s.title for s in split(text)] == [None, "Chapitre 2."]
    assert split(text)[0].text.startswith(long_title)
