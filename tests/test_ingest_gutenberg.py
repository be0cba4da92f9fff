"""Project Gutenberg files of every vintage: licence gone, the book whole, the real title and author.

The headers below are written here in the archive's formats (boilerplate, not literature)."""

import pytest

from generator.ingest import load
from generator.ingest.clean import clean, strip_gutenberg
from generator.ingest.gutenberg import metadata, split_ebook_line

FIRST = "Le premier jour, la pluie tomba sur le village sans discontinuer."
MIDDLE = "Les enfants regardaient par la fenêtre en attendant le retour du soleil."
LAST = "Au soir, enfin, le ciel s'éclaircit au-dessus des collines."
BODY = f"{FIRST}\n\n{MIDDLE}\n\n{LAST}"

LICENCE_2000S = (
    "This eBook is for the use of anyone anywhere at no cost and with\n"
    "almost no restrictions whatsoever.  You may copy it, give it away or\n"
    "re-use it under the terms of the Project Gutenberg License included\n"
    "with this eBook or online at www.gutenberg.org\n"
)
FOOTER_LICENCE = (
    "***** This file should be named 12345-8.txt or 12345-8.zip *****\n"
    "This and all associated files of various formats will be found in:\n"
    "        http://www.gutenberg.org/1/2/3/4/12345/\n\n"
    "Updated editions will replace the previous one--the old editions\nwill be renamed.\n\n"
    "*** START: FULL LICENSE ***\n\nTHE FULL PROJECT GUTENBERG LICENSE\n"
    "Section 1.  General Terms of Use and Redistributing Project Gutenberg-tm\nelectronic works\n"
)

MODERN = (
    "The Project Gutenberg eBook of La Pluie, by Jeanne Exemple\n    \n"
    "This ebook is for the use of anyone anywhere in the United States and\n"
    "most other parts of the world at no cost and with almost no restrictions\n"
    "whatsoever. You may copy it, give it away or re-use it under the terms\n"
    "of the Project Gutenberg License included with this ebook or online\n"
    "at www.gutenberg.org. If you are not located in the United States,\n"
    "you will have to check the laws of the country where you are located\n"
    "before using this eBook.\n\n"
    "Title: La Pluie\n\nAuthor: Jeanne Exemple\n\nRelease date: March 1, 2021 [eBook #65000]\n\n"
    "Language: French\n\nCredits: Produced by A. Volunteer and the Online Distributed\n"
    "         Proofreading Team\n\n\n"
    "*** START OF THE PROJECT GUTENBERG EBOOK LA PLUIE ***\n\n\n\n"
    f"{BODY}\n\n\n\n"
    "*** END OF THE PROJECT GUTENBERG EBOOK LA PLUIE ***\n\n"
    + FOOTER_LICENCE
)

# 2000s, with a marker, a credit line just after it, and the "End of" line before the marker.
MARKED_2000S = (
    "The Project Gutenberg EBook of La Pluie, by Jeanne Exemple\n\n" + LICENCE_2000S + "\n\n"
    "Title: La Pluie\n\nAuthor: Jeanne Exemple\n\nRelease Date: May 5, 2004 [EBook #12345]\n\n"
    "Language: French\n\nCharacter set encoding: ISO-8859-1\n\n"
    "*** START OF THIS PROJECT GUTENBERG EBOOK LA PLUIE ***\n\n\n\n\n"
    "Produced by Marie Bénévole and the Online Distributed\nProofreading Team.\n\n\n\n\n"
    f"{BODY}\n\n\n\n\n"
    "End of the Project Gutenberg EBook of La Pluie, by Jeanne Exemple\n\n"
    "*** END OF THIS PROJECT GUTENBERG EBOOK LA PLUIE ***\n\n" + FOOTER_LICENCE
)

# 2000s without any START marker: the header is only the ebook line, licence and fields.
UNMARKED_2000S = (
    "The Project Gutenberg EBook of La Pluie, by Jeanne Exemple\n\n" + LICENCE_2000S + "\n\n"
    "Title: La Pluie\n\nAuthor: Jeanne Exemple\n\nRelease Date: May 5, 2004 [EBook #12345]\n"
    "[Date last updated: June 1, 2005]\n\nLanguage: French\n\nCharacter set encoding: ISO-8859-1\n\n"
    "Produced by Marie Bénévole\n\n\n\n"
    f"{BODY}\n\n\n\n"
    "End of Project Gutenberg's La Pluie, by Jeanne Exemple\n\n" + FOOTER_LICENCE
)

SMALL_PRINT_HEAD = (
    "The Project Gutenberg Etext of La Pluie, by Jeanne Exemple\n"
    "****This is a COPYRIGHTED Project Gutenberg Etext, Details Below****\n"
    "     Please read the legal small print, and other information.\n\n"
    "**Welcome To The World of Free Plain Vanilla Electronic Texts**\n\n"
    "Title: La Pluie\n\nAuthor: Jeanne Exemple\n\nJune, 1996  [Etext #600]\n\n"
    "***START**THE SMALL PRINT!**FOR PUBLIC DOMAIN ETEXTS**START***\n"
    "Why is this \"Small Print!\" statement here?  You know: lawyers.\n"
    "They tell us you might sue us if there is something wrong with\nyour copy of this etext.\n\n"
    "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*\n\n"
    "[Etext prepared by Paul Relecteur]\n\n\n"
)
SMALL_PRINT_1990S = SMALL_PRINT_HEAD + f"{BODY}\n\n\nEnd of The Project Gutenberg Etext of La Pluie\n"

# Late 1990s: the small print moved after the book.
SMALL_PRINT_LAST = (
    "The Project Gutenberg Etext of La Pluie, by Jeanne Exemple\n\n"
    "Please take a look at the important information in this header.\n"
    "We encourage you to keep this file on your own disk.\n\n"
    "**Welcome To The World of Free Plain Vanilla Electronic Texts**\n\n"
    "**Etexts Readable By Both Humans and By Computers, Since 1971**\n\n"
    f"{BODY}\n\n"
    "***START**THE SMALL PRINT!**FOR PUBLIC DOMAIN ETEXTS**START***\n"
    "Why is this \"Small Print!\" statement here?\n\n"
    "*END THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.02/11/02*END*\n"
)

# Open START marker (no closing stars), "***START" without a space, a French credit line.
OPEN_MARKER_FR = (
    "The Project Gutenberg EBook of La Pluie, by Jeanne Exemple\n\n" + LICENCE_2000S + "\n"
    "Title: La Pluie\n\n"
    "***START OF THE PROJECT GUTENBERG EBOOK LA PLUIE\n\n"
    "Ce livre a été produit par Marie Bénévole, à partir d'images de la\nBibliothèque nationale de France.\n\n"
    f"{BODY}\n\n"
    "***END OF THE PROJECT GUTENBERG EBOOK LA PLUIE\n\n" + FOOTER_LICENCE
)

# The title wraps inside the marker.
WRAPPED_MARKER = (
    "Title: La Pluie sur le village pendant les longues journées d'un automne\n\n"
    "*** START OF THIS PROJECT GUTENBERG EBOOK LA PLUIE SUR LE VILLAGE PENDANT\nLES LONGUES JOURNÉES D'UN AUTOMNE ***\n\n"
    f"{BODY}\n\n*** END OF THIS PROJECT GUTENBERG EBOOK LA PLUIE ***\n"
)

STYLES = {
    "modern": MODERN, "marked-2000s": MARKED_2000S, "unmarked-2000s": UNMARKED_2000S,
    "small-print-1990s": SMALL_PRINT_1990S, "small-print-last": SMALL_PRINT_LAST,
    "open-marker-fr": OPEN_MARKER_FR, "wrapped-marker": WRAPPED_MARKER,
}
JUNK = ("Gutenberg", "GUTENBERG", "eBook", "Etext", "License", "SMALL PRINT", "Produced", "produit par",
        "Title:", "Release", "***", "Bénévole")


@pytest.mark.parametrize("name", STYLES)
def test_strip_keeps_whole_body_and_nothing_else(name):
    out = clean(STYLES[name])
    assert out == BODY
    for junk in JUNK:
        assert junk not in out


@pytest.mark.parametrize("name", STYLES)
def test_crlf_file_through_load(tmp_path, name):
    path = tmp_path / "pg.txt"
    path.write_bytes(STYLES[name].replace("\n", "\r\n").encode("cp1252"))
    doc = load(path)
    assert doc.kind == "text"
    assert doc.text == BODY
    assert doc.title.startswith("La Pluie")
    assert "Gutenberg" not in doc.title


@pytest.mark.parametrize("name", ["modern", "marked-2000s", "unmarked-2000s", "small-print-1990s",
                                  "small-print-last", "open-marker-fr"])
def test_title_and_author(tmp_path, name):
    path = tmp_path / "pg.txt"
    path.write_text(STYLES[name], encoding="utf-8")
    doc = load(path)
    assert (doc.title, doc.author) == ("La Pluie", "Jeanne Exemple")


def test_title_and_author_from_ebook_line_alone(tmp_path):
    path = tmp_path / "pg.txt"
    path.write_text(
        "The Project Gutenberg EBook of Contes du lundi, by Alphonse Exemple\n\n" + LICENCE_2000S +
        "\n\n*** START OF THIS PROJECT GUTENBERG EBOOK CONTES DU LUNDI ***\n\n" + BODY +
        "\n\n*** END OF THIS PROJECT GUTENBERG EBOOK CONTES DU LUNDI ***\n", encoding="utf-8")
    doc = load(path)
    assert (doc.title, doc.author, doc.text) == ("Contes du lundi", "Alphonse Exemple", BODY)


def test_ebook_line_variants():
    assert split_ebook_line("The Project Gutenberg eBook of Vingt mille lieues, by Jules Exemple") == \
        ("Vingt mille lieues", "Jules Exemple")
    assert split_ebook_line("Project Gutenberg's Le Horla, by Guy Exemple") == ("Le Horla", "Guy Exemple")
    assert split_ebook_line("The Project Gutenberg Etext of Candide") == ("Candide", "")
    assert split_ebook_line("Une ligne ordinaire") == ("", "")
    assert split_ebook_line("Project Gutenberg's founder had an idea") == ("", "")


def test_wrapped_ebook_line_and_continued_fields():
    head = ("The Project Gutenberg EBook of Histoire d'un village au bord de la mer, by\nJeanne Exemple\n\n"
            + LICENCE_2000S + "\n*** START OF THIS PROJECT GUTENBERG EBOOK HISTOIRE ***\n\n" + BODY)
    assert metadata(head) == ("Histoire d'un village au bord de la mer", "Jeanne Exemple")
    fields = ("Title: Les Saisons\n       Tome I: L'hiver\n\nAuthor: Jeanne Exemple\n\n"
              "*** START OF THE PROJECT GUTENBERG EBOOK LES SAISONS ***\n\n" + BODY)
    assert metadata(fields) == ("Les Saisons, Tome I: L'hiver", "Jeanne Exemple")


def test_title_field_without_gutenberg_is_not_metadata(tmp_path):
    path = tmp_path / "formulaire.txt"
    path.write_text("Title: Directeur\n\nAuthor: Service RH\n\n" + BODY, encoding="utf-8")
    doc = load(path)
    assert doc.author == "" and doc.title != "Directeur"


def test_plain_text_without_licence_is_untouched():
    text = "End of the day, the village slept.\n\nThe project was finished at last."
    assert strip_gutenberg(text) == text


def test_edition_title_line_from_other_formats_is_split(tmp_path):
    path = tmp_path / "pg.md"
    path.write_text("---\ntitle: The Project Gutenberg eBook of La Pluie, by Jeanne Exemple\n---\n\n" + BODY,
                    encoding="utf-8")
    doc = load(path)
    assert (doc.title, doc.author) == ("La Pluie", "Jeanne Exemple")
