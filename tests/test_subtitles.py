"""Subtitles: cues from turn timings, WebVTT and SRT writers."""

from __future__ import annotations

import re

import pytest

from generator.errors import UserError
from generator.publish.subtitles import (CUE_CHARS, WRITERS, Cue, SrtWriter, VttWriter, cues_for_turns,
                                         format_timestamp, get_writer, split_text, write_subtitles)

LONG = ("Oui. M. Dupont a rappelé en 2024 que le réseau comptait 28 000 kilomètres de voies, "
        "dont une bonne partie électrifiée. C'est énorme ? Oui, vraiment énorme, et cela coûte "
        "cher à entretenir chaque année, surtout en montagne où l'hiver abîme tout.")
TURNS = [
    ("Camille", "Bonjour à tous ! Aujourd'hui : la SNCF & ses <trains> de nuit.", 0.0, 3.2),
    ("Thomas", LONG, 3.1, 18.0),                 # starts before the previous turn ended
    ("Camille", "   ", 18.0, 18.5),              # nothing to show
    ("Camille", "D'accord.", 18.5, 19.25),
]

VTT_TIME = re.compile(r"^(\d{2}):(\d{2}):(\d{2})\.(\d{3}) --> (\d{2}):(\d{2}):(\d{2})\.(\d{3})$")
SRT_TIME = re.compile(r"^(\d{2}):(\d{2}):(\d{2}),(\d{3}) --> (\d{2}):(\d{2}):(\d{2}),(\d{3})$")


def seconds(h, m, s, ms) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def parse_srt(text: str) -> list[tuple[int, float, float, str]]:
    blocks = [b for b in text.strip().split("\n\n") if b.strip()]
    out = []
    for block in blocks:
        number, timing, *lines = block.split("\n")
        m = SRT_TIME.match(timing)
        assert m, timing
        out.append((int(number), seconds(*m.groups()[:4]), seconds(*m.groups()[4:]), " ".join(lines)))
    return out


def test_cues_one_per_short_turn_split_long_turns_monotonic():
    cues = cues_for_turns(TURNS)
    speakers = [c.speaker for c in cues]
    assert speakers[0] == "Camille" and speakers[-1] == "Camille"
    thomas = [c for c in cues if c.speaker == "Thomas"]
    assert len(thomas) >= 3
    assert " ".join(c.text for c in thomas) == LONG                       # nothing lost or reordered
    assert all(len(c.text) <= CUE_CHARS for c in cues)
    assert thomas[0].text.startswith("Oui. M. Dupont")                     # "M." does not end a sentence
    assert any(c.text.endswith("C'est énorme ?") or c.text.endswith("électrifiée.") for c in thomas)
    assert thomas[0].start == 3.2 and thomas[-1].end == 18.0               # clamped, keeps its end
    for a, b in zip(cues, cues[1:]):
        assert a.start < a.end <= b.start
    # Time shared in proportion to length.
    rates = [(c.end - c.start) / len(c.text) for c in thomas]
    assert max(rates) == pytest.approx(min(rates), rel=0.05)
    assert cues[-1] == Cue(18.5, 19.25, "Camille", "D'accord.")


def test_split_prefers_sentence_boundaries_and_keeps_no_break_spaces():
    text = "Première phrase assez courte. " * 3 + "Et une dernière, un peu plus longue, pour finir."
    chunks = split_text(text, limit=70)
    assert all(c.endswith(".") for c in chunks)
    assert split_text("Il y a 28\u202f000 trains\u00a0? Oui.") == ["Il y a 28\u202f000 trains\u00a0? Oui."]
    with pytest.raises(ValueError):
        cues_for_turns([("Camille", "Oui.", 2.0, 1.0)])


def test_timestamps():
    assert format_timestamp(62.345) == "00:01:02.345"
    assert format_timestamp(62.345, ",") == "00:01:02,345"
    assert format_timestamp(3 * 3600 + 0.0004) == "03:00:00.000"
    assert format_timestamp(59.9996) == "00:01:00.000"


def test_vtt_is_valid_and_escaped():
    cues = cues_for_turns(TURNS)
    vtt = VttWriter().format(cues)
    assert vtt.startswith("WEBVTT\n\n")
    blocks = vtt.strip().split("\n\n")[1:]
    assert len(blocks) == len(cues)
    last_end = 0.0
    for n, (block, cue) in enumerate(zip(blocks, cues), 1):
        ident, timing, *lines = block.split("\n")
        assert ident == str(n)
        m = VTT_TIME.match(timing)
        assert m, timing
        start, end = seconds(*m.groups()[:4]), seconds(*m.groups()[4:])
        assert last_end <= start < end
        last_end = end
        assert 1 <= len(lines) <= 2
        assert lines[0].startswith(f"<v {cue.speaker}>")
        body = " ".join(lines)[len(f"<v {cue.speaker}>"):]
        assert "-->" not in body and "<" not in body and ">" not in body
    assert "la SNCF &amp; ses &lt;trains&gt; de nuit." in vtt.replace("\n", " ")
    assert "2024" in vtt and "deux mille" not in vtt                       # written form, not spoken


def test_srt_is_valid_and_parses_back_to_the_cue_texts():
    cues = cues_for_turns(TURNS)
    srt = SrtWriter().format(cues)
    parsed = parse_srt(srt)
    assert [p[0] for p in parsed] == list(range(1, len(cues) + 1))
    for (_, start, end, text), cue in zip(parsed, cues):
        assert text == f"{cue.speaker} : {cue.text}"
        assert (start, end) == (pytest.approx(cue.start, abs=5e-4), pytest.approx(cue.end, abs=5e-4))
    for a, b in zip(parsed, parsed[1:]):
        assert a[1] < a[2] <= b[1]
    assert all(len(block.split("\n")) <= 4 for block in srt.strip().split("\n\n"))   # number, time, 2 lines
    assert "& ses <trains>" in srt                                          # SRT has no escaping


def test_writer_family_by_name(tmp_path):
    assert set(WRITERS) == {"vtt", "srt"}
    assert isinstance(get_writer("VTT"), VttWriter) and isinstance(get_writer(".srt"), SrtWriter)
    with pytest.raises(UserError, match="unknown subtitle format 'ass'"):
        get_writer("ass")
    paths = write_subtitles(cues_for_turns(TURNS), tmp_path, stem="episode")
    assert [p.name for p in paths] == ["episode.vtt", "episode.srt"]
    assert paths[0].read_text(encoding="utf-8").startswith("WEBVTT")
    assert parse_srt(paths[1].read_text(encoding="utf-8"))[0][3].startswith("Camille : Bonjour")
