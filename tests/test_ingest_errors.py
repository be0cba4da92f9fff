"""Every bad input ends in one IngestError line that says what is wrong and what to do."""

import io
import zipfile

import docx
import pytest
from pypdf import PdfWriter

from generator.errors import IngestError, UserError
from generator.ingest import load, load_many


def _error(path) -> str:
    with pytest.raises(IngestError) as info:
        load(path)
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    assert isinstance(info.value, UserError)
    return message


def test_missing_file(tmp_path):
    message = _error(tmp_path / "absent.txt")
    assert message.startswith("absent.txt: file not found")


def test_empty_file(tmp_path):
    path = tmp_path / "vide.txt"
    path.write_bytes(b"")
    assert "vide.txt: is empty" in _error(path)


def test_nothing_left_after_cleaning(tmp_path):
    path = tmp_path / "menu.txt"
    path.write_text("Laisser un commentaire\n\nPREV un titre\nNEXT un autre\n\n12\n", encoding="utf-8")
    assert "no readable text left after cleaning" in _error(path)


def test_chat_with_only_system_lines(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text("01/03/2025, 10:00 - Alice: <Médias omis>\n01/03/2025, 10:01 - Bruno: Ce message a été supprimé\n",
                    encoding="utf-8")
    assert "no readable text left" in _error(path)


def test_binary_file_with_text_suffix(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    message = _error(path)
    assert "binary" in message and "convert" in message


def test_unknown_format_lists_supported(tmp_path):
    path = tmp_path / "notes.xyz"
    path.write_text("du texte", encoding="utf-8")
    message = _error(path)
    assert message.startswith("notes.xyz: unknown format '.xyz'")
    assert ".txt" in message and ".pdf" in message and ".docx" in message and "WhatsApp" in message


def test_old_word_format_gets_conversion_hint(tmp_path):
    path = tmp_path / "vieux.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    message = _error(path)
    assert "unknown format '.doc'" in message and "save it as .docx" in message


def test_pdf_without_text_layer(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    message = _error(path)
    assert "has no text layer (scanned?)" in message and "ocrmypdf" in message


def test_corrupt_pdf(tmp_path):
    path = tmp_path / "casse.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage garbage\n")
    message = _error(path)
    assert "casse.pdf: is not a readable PDF" in message and "re-export" in message


def test_truncated_pdf(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    path = tmp_path / "coupe.pdf"
    path.write_bytes(buffer.getvalue()[:60])
    message = _error(path)
    assert "coupe.pdf:" in message and ("not a readable PDF" in message or "no text layer" in message)


def test_corrupt_docx_not_a_zip(tmp_path):
    path = tmp_path / "casse.docx"
    path.write_bytes(bytes(range(256)) * 4)      # binary, not a zip (text would be read as text)
    message = _error(path)
    assert "casse.docx: is not a readable .docx" in message and "save it again as .docx" in message


def test_corrupt_docx_zip_without_document(tmp_path):
    path = tmp_path / "vide.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "is not a readable .docx" in _error(path)


def test_docx_without_text(tmp_path):
    path = tmp_path / "blanc.docx"
    docx.Document().save(str(path))
    assert "no readable text left" in _error(path)


def test_html_without_article(tmp_path):
    path = tmp_path / "menu.html"
    path.write_text("<html><head><title>Menu</title></head><body><nav><a href='/'>Accueil</a></nav></body></html>",
                    encoding="utf-8")
    message = _error(path)
    assert "no article text found" in message and ".txt" in message


def test_folder_passed_to_load(tmp_path):
    assert "is a folder" in _error(tmp_path)


def test_folder_with_nothing_supported(tmp_path):
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / ".cache.txt").write_text("caché", encoding="utf-8")
    with pytest.raises(IngestError) as info:
        load_many([tmp_path])
    assert "folder contains no supported document" in str(info.value)
    assert ".md" in str(info.value)


def test_folder_whose_files_all_fail(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.4 broken")
    with pytest.raises(IngestError) as info:
        load_many([tmp_path])
    message = str(info.value)
    assert "no usable document in this folder (2 skipped" in message and "a.txt: is empty" in message


def test_explicit_bad_file_in_load_many_raises(tmp_path):
    good = tmp_path / "ok.txt"
    good.write_text("Un texte tout à fait lisible.", encoding="utf-8")
    with pytest.raises(IngestError, match="missing.txt: file not found"):
        load_many([good, tmp_path / "missing.txt"])


def test_password_protected_pdf(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    path = tmp_path / "secret.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    message = _error(path)
    assert "password-protected" in message and "qpdf" in message


def test_text_under_a_wrong_extension_is_read_by_its_content(tmp_path):
    notes = tmp_path / "notes.pdf"
    notes.write_text("# Le four d'Odeillo\n\nEn 1970, le **CNRS** met en service un four solaire de 1 000 kW.\n",
                     encoding="utf-8")
    doc = load(notes)
    assert doc.kind == "markdown" and "CNRS met en service" in doc.text and "**" not in doc.text
    plain = tmp_path / "lettre.docx"
    plain.write_text("Chère Anne, le four solaire fonctionne depuis 1970.\n", encoding="utf-8")
    assert load(plain).kind == "text"
    # Binary content under a document's name is still refused in one line by that format's loader.
    broken = tmp_path / "casse.docx"
    broken.write_bytes(b"PK\x03\x04" + bytes(range(256)))
    with pytest.raises(IngestError, match="not a readable .docx"):
        load(broken)
