"""A real rendered episode (tone engine, seconds) whose turns cite passages: what `causerie listen` serves in tests."""

from __future__ import annotations

from pathlib import Path

from generator.render import render
from generator.writing.script import Host, PassageRecord, Script, Segment, SourceInfo, Turn


def make_cited_episode(folder: Path) -> Path:
    """Render into `folder` an 8-turn, 3-chapter episode whose factual turns cite passages of 2 sources."""
    script = Script(
        title="Le four solaire d'Odeillo", subject="le four solaire d'Odeillo",
        hosts=[Host(name="Camille", role="curieuse", gender="f"), Host(name="Thomas", role="expert", gender="m")],
        sources=[
            SourceInfo(path="docs/odeillo.md", title="Le grand four solaire", kind="markdown", language="fr", words=640),
            SourceInfo(path="docs/cnrs.pdf", title="Histoire du laboratoire PROMES", kind="pdf", language="fr", words=1210),
        ],
        passages=[
            PassageRecord(id=0, doc=0, section="Le principe",
                          text="Soixante-trois héliostats orientables renvoient la lumière du soleil vers un "
                               "miroir parabolique de 54 mètres d'ouverture."),
            PassageRecord(id=1, doc=0, section="Températures",
                          text="Au foyer, la température dépasse 3 500 °C, sans flamme ni combustible."),
            PassageRecord(id=2, doc=1, section="Origines",
                          text="Le CNRS met le four en service en 1970 à Font-Romeu-Odeillo-Via."),
        ],
        segments=[Segment(id=0, title="Un four sans feu"), Segment(id=1, title="Jusqu'à 3 500 °C"),
                  Segment(id=2, title="Pour conclure")],
        turns=[
            Turn(speaker="Camille", text="En 1970, le CNRS allume un four géant dans les Pyrénées ?", segment=0,
                 intent="accroche", sources=[2]),
            Turn(speaker="Thomas", text="Oui, à Odeillo : soixante-trois héliostats renvoient le soleil vers un "
                                        "miroir de 54 mètres.", segment=0, sources=[0]),
            Turn(speaker="Camille", text="Un miroir de la taille d'un immeuble, donc.", segment=0, intent="reaction"),
            Turn(speaker="Thomas", text="Exactement, et il concentre toute cette lumière sur quelques centimètres.",
                 segment=0, sources=[0]),
            Turn(speaker="Camille", text="Et ça chauffe à combien ?", segment=1, intent="question"),
            Turn(speaker="Thomas", text="Plus de 3 500 °C au foyer, sans flamme ni combustible.", segment=1,
                 sources=[1]),
            Turn(speaker="Camille", text="Ah oui, quand même !", segment=1, intent="reaction"),
            Turn(speaker="Thomas", text="Merci de nous avoir écoutés, à bientôt !", segment=2, intent="conclusion"),
        ],
    )
    script.save(folder)
    render(folder, engine_name="tone")
    return folder
