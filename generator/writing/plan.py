"""The turn plan: who speaks, to do what, about which point, in about how many words.

The program holds the structure so the model only writes one short line at a
time: measured on small models, letting them run the whole dialogue makes one
host talk alone and the conversation loop.
"""

from __future__ import annotations

from dataclasses import dataclass

from .outline import Outline, Point

WORDS_PER_MINUTE = 150

# Nominal length of each kind of turn, in spoken words.
NOMINAL = {
    "accroche": 35, "presentation": 40, "question": 18, "explication": 45,
    "reaction": 14, "detail": 38, "recapitulatif": 35, "conclusion": 28,
}
# Turns that can be dropped or repeated to land on the requested length.
OPTIONAL = {"reaction", "detail"}
MIN_WORDS, MAX_WORDS = 8, 90


@dataclass(frozen=True)
class TurnSpec:
    speaker: int            # 0 = the curious host, 1 = the expert
    intent: str
    segment: int
    point: Point | None
    words: int
    extra: bool = False     # added while writing because the script ran short

    @property
    def optional(self) -> bool:
        # An extra exchange only lengthens the script: better left out than kept flagged.
        return self.extra or self.intent in OPTIONAL


def _segment_turns(i: int, point: Point) -> list[TurnSpec]:
    if i == 0:
        intents = [(0, "accroche"), (1, "presentation"), (0, "reaction"), (1, "detail")]
    else:
        intents = [(0, "question"), (1, "explication"), (0, "reaction"), (1, "detail")]
    return [TurnSpec(s, intent, i, point, NOMINAL[intent]) for s, intent in intents]


def plan_turns(outline: Outline, minutes: float) -> list[TurnSpec]:
    target = max(60, round(minutes * WORDS_PER_MINUTE))
    segments = [_segment_turns(i, p) for i, p in enumerate(outline.points)]
    closing_seg = len(outline.points)
    closing = [TurnSpec(0, "recapitulatif", closing_seg, None, NOMINAL["recapitulatif"]),
               TurnSpec(1, "conclusion", closing_seg, None, NOMINAL["conclusion"])]

    def total() -> int:
        return sum(t.words for seg in segments for t in seg) + sum(t.words for t in closing)

    # Too short: deepen points in turn with another question/detail exchange.
    rounds = 0
    while total() < target * 0.95 and rounds < 4 * len(segments):
        seg = segments[rounds % len(segments)]
        point = seg[0].point
        seg += [TurnSpec(0, "question", seg[0].segment, point, NOMINAL["question"]),
                TurnSpec(1, "detail", seg[0].segment, point, NOMINAL["detail"])]
        rounds += 1
    # Too long: drop reaction/detail pairs from the last segments first.
    for seg in reversed(segments):
        while total() > target * 1.1 and len(seg) > 2 and seg[-1].optional and seg[-2].optional:
            del seg[-2:]
    scale = target / total()
    turns = [t for seg in segments for t in seg] + closing
    return [TurnSpec(t.speaker, t.intent, t.segment, t.point,
                     max(MIN_WORDS, min(MAX_WORDS, round(t.words * scale)))) for t in turns]
