import json

import pytest

from generator.writing.script import Host, Script, Segment, Turn, TurnCheck, read_markdown, to_markdown


def make_script():
    return Script(
        title="Le four solaire", subject="four solaire",
        hosts=[Host(name="Camille", role="curieuse"), Host(name="Thomas", role="expert")],
        segments=[Segment(id=0, title="Le principe"), Segment(id=1, title="En bref")],
        turns=[
            Turn(speaker="Camille", text="En 1970, un miroir géant ?", segment=0, intent="accroche"),
            Turn(speaker="Thomas", text="Oui, 54 mètres de haut.", segment=0,
                 check=TurnCheck(status="flagged", attempts=4, reasons=["1:english-words"])),
            Turn(speaker="Camille", text="On résume ?", segment=1),
        ],
    )


def test_json_round_trip_and_atomic_files(tmp_path):
    script = make_script()
    json_path, md_path = script.save(tmp_path)
    assert Script.load(json_path) == script
    assert json.loads(json_path.read_text())["format"] == "causerie.script/2"
    assert not list(tmp_path.glob(".*tmp")), "no temp file left behind"
    assert "## 1. Le principe" in md_path.read_text() and "**Thomas** : Oui" in md_path.read_text()


def test_markdown_marks_flagged_turns_and_reads_back_edits():
    script = make_script()
    md = to_markdown(script)
    assert "à vérifier" in md
    edited = md.replace("On résume ?", "On résume, alors ?")
    back = read_markdown(edited, script)
    assert [t.text for t in back.turns] == ["En 1970, un miroir géant ?", "Oui, 54 mètres de haut.", "On résume, alors ?"]
    assert back.turns[1].check.status == "flagged", "unchanged turns keep their metadata"
    assert back.turns[2].check.status == "edited" and back.turns[2].segment == 1


def test_markdown_rejects_unknown_speakers():
    with pytest.raises(ValueError, match="unknown speaker"):
        read_markdown("**Paul** : bonjour", make_script())
