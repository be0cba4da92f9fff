"""One loader per format, on documents the tests write themselves."""

from pathlib import Path

import docx
import pytest

from generator.ingest import FORMATS_HELP, SUPPORTED, load, load_many
from generator.ingest.formats import md

LOREM_FR = ("Les moulins à vent ont longtemps marqué le paysage de la région. Construits en pierre, "
            "ils servaient à moudre le blé des villages alentour pendant des siècles.")


def make_pdf(pages: list[list[str]], title: str | None = None) -> bytes:
    """A minimal PDF with a real text layer (Helvetica, WinAnsi), one content stream per page."""
    objects: list[bytes] = []
    n_pages = len(pages)
    page_ids = [4 + 2 * i for i in range(n_pages)]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{i} 0 R" for i in page_ids).encode()
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(n_pages).encode() + b" >>")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, lines in enumerate(pages):
        ops = [b"BT /F1 11 Tf 14 TL 72 760 Td"]
        for line in lines:
            escaped = line.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
            ops.append(b"(" + escaped + b") Tj T*")
        ops.append(b"ET")
        stream = b"\n".join(ops)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents " + str(page_ids[i] + 1).encode() + b" 0 R >>")
        objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream")
    info_id = None
    if title:
        objects.append(b"<< /Title (" + title.encode("latin-1") + b") >>")
        info_id = len(objects)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R"
    if info_id:
        trailer += f" /Info {info_id} 0 R"
    out += (trailer + f" >>\nstartxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def test_supported_list():
    assert {".txt", ".md", ".html", ".htm", ".pdf", ".docx"} <= set(SUPPORTED)
    assert "WhatsApp" in FORMATS_HELP and ".pdf" in FORMATS_HELP


# --- plain text ---------------------------------------------------------------------------

def test_text_title_from_first_line_and_body(tmp_path):
    path = tmp_path / "moulins.txt"
    path.write_text(f"Les moulins de Provence\n\n{LOREM_FR}\n", encoding="utf-8")
    doc = load(path)
    assert (doc.kind, doc.title, doc.language) == ("text", "Les moulins de Provence", "fr")
    assert doc.text == LOREM_FR
    assert len(doc.sections) == 1 and doc.sections[0].title is None
    assert doc.source == str(path)
    assert doc.redactions == {"phone": 0, "email": 0}


def test_text_without_title_line_falls_back_to_stem(tmp_path):
    path = tmp_path / "note-du-jour.txt"
    path.write_text(LOREM_FR, encoding="utf-8")
    assert load(path).title == "note-du-jour"


def test_text_in_cp1252_is_decoded(tmp_path):
    path = tmp_path / "ancien.txt"
    path.write_bytes(("Un été à Noël, déjà.\n\n" + LOREM_FR).encode("cp1252"))
    assert "Un été à Noël, déjà." in load(path).text


def test_gutenberg_title(tmp_path):
    path = tmp_path / "pg123.txt"
    path.write_text(
        "The Project Gutenberg eBook of Le Tour du monde\nTitle: Le Tour du monde en quatre-vingts jours\n"
        "*** START OF THE PROJECT GUTENBERG EBOOK LE TOUR DU MONDE ***\n"
        f"{LOREM_FR}\n*** END OF THE PROJECT GUTENBERG EBOOK LE TOUR DU MONDE ***\nLicence blah.\n",
        encoding="utf-8")
    doc = load(path)
    assert doc.title == "Le Tour du monde en quatre-vingts jours"
    assert doc.text == LOREM_FR


def test_english_text_detected(tmp_path):
    path = tmp_path / "en.txt"
    path.write_text("Windmills shaped the landscape of the region for centuries, grinding the grain "
                    "of the surrounding villages until steam engines replaced them.", encoding="utf-8")
    assert load(path).language == "en"


def test_redaction_applies_to_plain_text_and_can_be_disabled(tmp_path):
    path = tmp_path / "contact.txt"
    path.write_text(f"{LOREM_FR} Contact : marie@exemple.fr ou 06 12 34 56 78.", encoding="utf-8")
    doc = load(path)
    assert "marie@" not in doc.text and "06 12" not in doc.text
    assert doc.redactions == {"phone": 1, "email": 1}
    raw = load(path, redact=False)
    assert "marie@exemple.fr" in raw.text and raw.redactions == {}


# --- markdown -----------------------------------------------------------------------------

MARKDOWN = """\
---
title: "Guide des moulins"
tags: [patrimoine]
---

Intro avec un [lien](https://example.org/page?x=1) et une image ![un moulin](img/moulin.png) ici.
Suite de la phrase sur **deux** lignes, avec *emphase*, _soulignée_ et `code`.

# Histoire

<div class="note">Texte dans du <b>HTML</b>.</div>

Le meunier orientait les ailes.[^1]

```python
print("moudre")
```

## Technique

- première étape
- seconde étape

| Pièce | Rôle |
|-------|------|
| Meule | Broyer |

#### Détail

Un détail technique.

[^1]: Une note.
[ref]: https://example.org
"""


def test_markdown_front_matter_links_images_html_emphasis(tmp_path):
    path = tmp_path / "guide.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = load(path)
    assert doc.kind == "markdown"
    assert doc.title == "Guide des moulins"
    assert [s.title for s in doc.sections] == [None, "Histoire", "Technique"]
    intro = doc.sections[0].text
    assert intro == ("Intro avec un lien et une image un moulin ici. "
                     "Suite de la phrase sur deux lignes, avec emphase, soulignée et code.")
    histoire = doc.sections[1].text
    assert "Texte dans du HTML." in histoire and "<" not in histoire
    assert 'print("moudre")' in histoire and "```" not in histoire
    assert "[^1]" not in histoire
    technique = doc.sections[2].text
    assert "- première étape\n- seconde étape" in technique
    assert "Meule, Broyer" in technique and "---" not in technique
    assert "Détail" in technique and "####" not in technique
    for gone in ("tags:", "https://", "img/moulin.png", "**", "[ref]"):
        assert gone not in doc.text


def test_markdown_title_from_first_h1_and_setext(tmp_path):
    title, sections = md.parse("Intro\n\nMon titre\n=========\n\nTexte.\n\nPartie\n------\n\nSuite.")
    assert title == "Mon titre"
    assert [(s.title, s.text) for s in sections] == [(None, "Intro"), ("Mon titre", "Texte."), ("Partie", "Suite.")]


def test_markdown_title_not_repeated_in_text(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(f"# Les moulins\n\n{LOREM_FR}\n\n## Aujourd'hui\n\nIls tournent encore.", encoding="utf-8")
    doc = load(path)
    assert doc.title == "Les moulins"
    assert doc.text == f"{LOREM_FR}\n\nAujourd'hui\n\nIls tournent encore."


def test_toml_front_matter(tmp_path):
    path = tmp_path / "b.md"
    path.write_text(f'+++\ntitle = "Titre TOML"\ndraft = false\n+++\n\n{LOREM_FR}\n', encoding="utf-8")
    doc = load(path)
    assert doc.title == "Titre TOML" and "draft" not in doc.text


# --- html ---------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Les moulins de Provence | Blog du Sud</title></head>
<body>
<div id="cookie-banner" class="cookie-consent">Nous utilisons des cookies pour améliorer votre expérience. <button>Accepter les cookies</button></div>
<header><nav class="menu"><ul><li><a href="/">Accueil</a></li><li><a href="/blog">Nos rubriques</a></li><li><a href="/contact">Contactez-nous</a></li></ul></nav></header>
<main><article>
<h1>Les moulins de Provence</h1>
<p>Les moulins à vent ont longtemps marqué le paysage provençal. Construits en pierre sèche, ils servaient à moudre le blé des villages alentour et rythmaient la vie des paysans pendant des siècles.</p>
<h2>Une technique ancienne</h2>
<p>Le meunier orientait les ailes face au mistral grâce à une longue perche. Cette opération demandait une grande habileté, car une rafale trop forte pouvait briser la charpente en quelques secondes.</p>
<p>Aujourd'hui, plusieurs associations restaurent ces bâtiments et organisent des visites guidées pendant l'été. Contact : visites@moulins.example ou 04 90 12 34 56.</p>
<h2>Un patrimoine fragile</h2>
<p>Faute d'entretien, beaucoup de moulins se sont effondrés au vingtième siècle. Les communes cherchent désormais des financements pour sauver les derniers témoins de cette époque.</p>
</article></main>
<aside class="sidebar"><h3>Articles populaires</h3><ul><li><a href="/a">Recette de la tapenade</a></li></ul></aside>
<footer><p>© 2024 Blog du Sud — Mentions légales — Politique de confidentialité</p><p>Suivez-nous sur Facebook</p></footer>
</body></html>
"""


def test_html_keeps_article_drops_navigation(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    doc = load(path)
    assert doc.kind == "html"
    assert doc.title == "Les moulins de Provence"
    assert [s.title for s in doc.sections] == ["Les moulins de Provence", "Une technique ancienne", "Un patrimoine fragile"]
    assert "orientait les ailes face au mistral" in doc.text
    assert "sauver les derniers témoins" in doc.text
    for gone in ("cookies", "Accueil", "Nos rubriques", "Contactez-nous", "tapenade", "Mentions légales",
                 "Suivez-nous", "Blog du Sud", "visites@", "04 90"):
        assert gone not in doc.text
    assert doc.redactions == {"phone": 1, "email": 1}


def test_html_sniffed_whatever_the_suffix(tmp_path):
    path = tmp_path / "page_sauvee.txt"
    path.write_text(PAGE, encoding="utf-8")
    assert load(path).kind == "html"


# --- pdf ----------------------------------------------------------------------------------

def test_pdf_text_layer_rewrapped_across_lines(tmp_path):
    path = tmp_path / "rapport.pdf"
    path.write_bytes(make_pdf([
        ["Rapport annuel", "Les moulins a vent ont longtemps marque le paysage de la region et",
         "servaient a moudre le ble des villages alentour pendant des siecles."],
        ["Deuxieme page : les associations restaurent les batiments."],
    ]))
    doc = load(path)
    assert doc.kind == "pdf"
    assert doc.title == "Rapport annuel"
    assert ("Les moulins a vent ont longtemps marque le paysage de la region et servaient a moudre le ble "
            "des villages alentour pendant des siecles.") in doc.text
    assert "Deuxieme page : les associations restaurent les batiments." in doc.text


def test_pdf_metadata_title_and_accents(tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(make_pdf([["Un été à Noël, déjà : les moulins tournent encore."]], title="Titre du rapport"))
    doc = load(path)
    assert doc.title == "Titre du rapport"
    assert "Un été à Noël, déjà" in doc.text


def test_pdf_running_headers_and_page_numbers_dropped(tmp_path):
    bodies = ["Le vent se leve sur la plaine.", "Les ailes tournent sans fin.",
              "Le meunier charge les sacs.", "La farine part au village."]
    pages = [["Revue des moulins - 2024", body, str(n)] for n, body in enumerate(bodies, start=1)]
    doc = load_bytes(tmp_path, "revue.pdf", make_pdf(pages))
    assert "Revue des moulins" not in doc.text
    assert all(body in doc.text for body in bodies)
    assert not any(line.strip().isdigit() for line in doc.text.split("\n"))


def test_pdf_renamed_is_still_a_pdf(tmp_path):
    assert load_bytes(tmp_path, "rapport.txt", make_pdf([["Un rapport sur les moulins a vent."]])).kind == "pdf"


def load_bytes(tmp_path: Path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return load(path)


# --- docx ---------------------------------------------------------------------------------

def _docx(path: Path, *, title_style: bool = False) -> Path:
    document = docx.Document()
    if title_style:
        document.add_heading("Titre du document", level=0)
    document.add_paragraph("Paragraphe d'introduction avant tout titre.")
    document.add_heading("Histoire", level=1)
    document.add_paragraph("Le meunier orientait les ailes face au vent.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Pièce", "Rôle"
    table.cell(1, 0).text, table.cell(1, 1).text = "Meule", "Broyer le grain"
    document.add_heading("Aujourd'hui", level=2)
    document.add_paragraph("Des associations restaurent les moulins. Écrire à asso@moulins.example.")
    document.save(str(path))
    return path


def test_docx_headings_tables_and_order(tmp_path):
    doc = load(_docx(tmp_path / "moulins.docx"))
    assert doc.kind == "docx"
    assert doc.title == "Histoire"
    assert [(s.title, s.text) for s in doc.sections] == [
        (None, "Paragraphe d'introduction avant tout titre."),
        ("Histoire", "Le meunier orientait les ailes face au vent.\n\nPièce ; Rôle\n\nMeule ; Broyer le grain"),
        ("Aujourd'hui", "Des associations restaurent les moulins. Écrire à [e-mail masqué]."),
    ]
    assert doc.redactions["email"] == 1


def test_docx_title_style_wins(tmp_path):
    doc = load(_docx(tmp_path / "t.docx", title_style=True))
    assert doc.title == "Titre du document"
    assert "Titre du document" not in doc.text


# --- load_many ----------------------------------------------------------------------------

def test_load_many_expands_folders_sorted_recursive_skipping_hidden(tmp_path):
    root = tmp_path / "docs"
    (root / "sub").mkdir(parents=True)
    (root / ".cache").mkdir()
    (root / "b.txt").write_text("Deuxième document.\n\n" + LOREM_FR, encoding="utf-8")
    (root / "a.md").write_text("# Premier\n\n" + LOREM_FR, encoding="utf-8")
    (root / "sub" / "c.txt").write_text("Troisième document.\n\n" + LOREM_FR, encoding="utf-8")
    (root / ".hidden.txt").write_text("caché " * 20, encoding="utf-8")
    (root / ".cache" / "x.txt").write_text("caché " * 20, encoding="utf-8")
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    extra = tmp_path / "extra.txt"
    extra.write_text("Document en plus.\n\n" + LOREM_FR, encoding="utf-8")
    docs = load_many([root, extra, root / "a.md"])
    assert [Path(d.source).name for d in docs] == ["a.md", "b.txt", "c.txt", "extra.txt"]
    assert [d.kind for d in docs] == ["markdown", "text", "text", "text"]


def test_load_many_skips_unreadable_file_inside_folder(tmp_path):
    root = tmp_path / "docs"
    root.mkdir()
    (root / "vide.txt").write_text("", encoding="utf-8")
    (root / "ok.txt").write_text(LOREM_FR, encoding="utf-8")
    assert [Path(d.source).name for d in load_many([root])] == ["ok.txt"]


@pytest.mark.parametrize("suffix", [".TXT", ".Md"])
def test_suffix_case_insensitive(tmp_path, suffix):
    path = tmp_path / f"x{suffix}"
    path.write_text(LOREM_FR, encoding="utf-8")
    assert load(path).text == LOREM_FR


def test_pdf_junk_metadata_title_ignored(tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(make_pdf([["Vrai titre du rapport", "Le texte du rapport commence ici et continue."]],
                              title="Microsoft Word - brouillon.docx"))
    assert load(path).title == "Vrai titre du rapport"


def test_pdf_content_under_unknown_suffix_is_sniffed(tmp_path):
    path = tmp_path / "telechargement.bin"
    path.write_bytes(make_pdf([["Un rapport sur les moulins a vent, telecharge sans extension."]]))
    assert load(path).kind == "pdf"


def test_docx_content_under_wrong_suffix_is_sniffed(tmp_path):
    source = _docx(tmp_path / "a.docx")
    renamed = tmp_path / "a.txt"
    renamed.write_bytes(source.read_bytes())
    assert load(renamed).kind == "docx"


def test_a_root_prompt_that_lost_its_code_fence_is_not_a_heading():
    # trafilatura renders <pre> without fences: "# tar …" is the root prompt, not a section title.
    text = ("## Sauvegarde en réseau\n\nCopiez le dossier vers la machine distante :\n\n"
            "# (cd ./source && tar cf - . ) | ssh user@host '(cd /dest && tar xvfp - )'\n\n"
            "# rsync -aHAXSv ./source/ user@host:/dest\n\nLa copie garde les droits.\n\n## Archives\n\nTexte.")
    title, sections = md.parse(text)
    assert [s.title for s in sections] == ["Sauvegarde en réseau", "Archives"]
    assert "rsync -aHAXSv" in sections[0].text
