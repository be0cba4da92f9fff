"""Golden table for French speech normalisation.

Every expected string is written by hand as a French speaker would say the
input; none was produced by running the code. Number words follow
num2words' traditional spelling ("vingt et un", "deux cent un").
"""

from __future__ import annotations

import re

import pytest

from generator.speech.normalize_fr import RULES, normalize, ordinal

NBSP, NNBSP = "\u00a0", "\u202f"

GOLDEN: list[tuple[str, str]] = [
    # --- numbers: thousand groups, decimals, signs -------------------------
    ("100 000 habitants", "cent mille habitants"),  # trap: "100 000" split
    ("1 234 567", "un million deux cent trente-quatre mille cinq cent soixante-sept"),
    (f"100{NBSP}000", "cent mille"),
    (f"100{NNBSP}000", "cent mille"),
    ("1 000,5", "mille virgule cinq"),
    ("en 2024 100 000 personnes", "en deux mille vingt-quatre cent mille personnes"),
    ("3,14", "trois virgule quatorze"),  # trap: not "trois virgule un quatre"
    ("2,5", "deux virgule cinq"),
    ("0,05", "zéro virgule zéro cinq"),
    ("-12", "moins douze"),
    ("\u22123,5", "moins trois virgule cinq"),
    ("21 candidats", "vingt et un candidats"),
    ("80 ans", "quatre-vingts ans"),
    # --- percentages --------------------------------------------------------
    ("80%", "quatre-vingts pour cent"),
    ("80 %", "quatre-vingts pour cent"),
    (f"12,5{NNBSP}%", "douze virgule cinq pour cent"),
    ("+5 %", "plus cinq pour cent"),
    ("10-15 %", "dix à quinze pour cent"),
    ("~30 %", "environ trente pour cent"),
    # --- money --------------------------------------------------------------
    ("100 €", "cent euros"),
    ("€100", "cent euros"),
    ("100 euros", "cent euros"),
    ("$100", "cent dollars"),
    ("100 $", "cent dollars"),
    ("100MM de $", "cent millions de dollars"),
    ("1 000 000 €", "un million d'euros"),  # traps: cents reading, missing "d'"
    ("1000000 €", "un million d'euros"),
    ("2 500 000 €", "deux millions cinq cent mille euros"),
    ("2,5 milliards de dollars", "deux virgule cinq milliards de dollars"),
    ("5 M€", "cinq millions d'euros"),
    ("3 Md€", "trois milliards d'euros"),
    ("3 Mds€", "trois milliards d'euros"),
    ("3 milliards €", "trois milliards d'euros"),
    ("1,2 Md€", "un virgule deux milliard d'euros"),
    ("50 k€", "cinquante mille euros"),
    ("1 €", "un euro"),
    ("12,50 €", "douze euros cinquante"),
    ("$2.5B", "deux virgule cinq milliards de dollars"),
    # --- units --------------------------------------------------------------
    ("1 GW", "un gigawatt"),
    ("10GW", "dix gigawatts"),  # trap: glued unit
    ("~10GW", "environ dix gigawatts"),
    ("1,5 GW", "un virgule cinq gigawatt"),
    ("120 KW", "cent vingt kilowatts"),
    ("3 kW", "trois kilowatts"),
    ("100 kWh", "cent kilowattheures"),
    ("2 MWh", "deux mégawattheures"),
    ("580 TWh", "cinq cent quatre-vingts térawattheures"),
    ("80 Go", "quatre-vingts gigaoctets"),
    ("512 Mo", "cinq cent douze mégaoctets"),
    ("2 To", "deux téraoctets"),
    ("10 Gb", "dix gigabits"),
    ("42 km", "quarante-deux kilomètres"),
    ("10 km/h", "dix kilomètres heure"),
    ("100 m", "cent mètres"),
    ("5 cm", "cinq centimètres"),
    ("70 kg", "soixante-dix kilogrammes"),
    ("25 °C", "vingt-cinq degrés Celsius"),
    ("-5 °C", "moins cinq degrés Celsius"),
    ("5 ms", "cinq millisecondes"),
    ("24 h", "vingt-quatre heures"),
    # --- dates and times ----------------------------------------------------
    ("14/02/2025", "quatorze février deux mille vingt-cinq"),
    ("2025-02-14", "quatorze février deux mille vingt-cinq"),
    ("1er janvier 2024", "premier janvier deux mille vingt-quatre"),
    ("1 mars", "premier mars"),
    ("2023-11", "novembre deux mille vingt-trois"),
    ("2023-2024", "deux mille vingt-trois à deux mille vingt-quatre"),
    ("08:27", "huit heures vingt-sept"),
    ("8h30", "huit heures trente"),
    ("8 h 30", "huit heures trente"),
    ("21h", "vingt et une heures"),
    ("24h/24", "vingt-quatre heures sur vingt-quatre"),
    ("en 2024", "en deux mille vingt-quatre"),
    ("en 1999", "en mille neuf cent quatre-vingt-dix-neuf"),
    ("T3 2024", "troisième trimestre deux mille vingt-quatre"),
    # --- ordinals -----------------------------------------------------------
    ("1er", "premier"),
    ("1re", "première"),
    ("1ère", "première"),
    ("2e", "deuxième"),
    ("2ème", "deuxième"),
    ("2nd", "deuxième"),
    ("200e", "deux centième"),  # trap: num2words says "deux centsième"
    ("80e", "quatre-vingtième"),
    ("XXe siècle", "vingtième siècle"),
    ("XXIe siècle", "vingt et unième siècle"),
    ("Louis XIV", "Louis quatorze"),
    ("François Ier", "François premier"),
    ("Ce matin, De plus, Le XIXe", "Ce matin, De plus, Le dix-neuvième"),  # C, D, L + e are words
    ("Vers 2030", "Vers deux mille trente"),  # "Vers" is not V + "ers"
    # --- acronyms -----------------------------------------------------------
    ("GPU", "gé pé u"),  # trap: must not pass through
    ("OVH", "o vé ache"),
    ("IA", "i a"),
    ("l'IA", "l'i a"),
    ("USA", "u ès a"),
    ("CPU", "cé pé u"),
    ("SNCF", "ès enne cé effe"),
    ("RTE", "erre té e"),
    ("PDF", "pé dé effe"),
    ("LLM", "elle elle emme"),
    ("les GPUs", "les gé pé u"),
    ("OTAN", "Otan"),
    ("NASA", "Nasa"),
    ("COVID", "Covid"),
    ("Unesco", "Unesco"),
    ("UNICEF", "Unicef"),
    ("INSEE", "Insee"),
    ("ADEME", "Ademe"),
    ("CNIL", "Cnil"),
    ("COVID-19", "Covid dix-neuf"),
    # --- mixed tokens -------------------------------------------------------
    ("Llama 3.1 405B", "Llama trois point un quatre cent cinq milliards"),
    ("Mistral 7B", "Mistral sept milliards"),
    ("8x7B", "huit fois sept milliards"),
    ("H100", "ache cent"),
    ("GPT-4", "gé pé té quatre"),
    # --- links, handles, emoji ----------------------------------------------
    ("Voir https://exemple.fr/rapport.pdf pour le détail.", "Voir pour le détail."),
    ("www.exemple.fr est en ligne", "est en ligne"),
    ("Écrivez à contact@exemple.fr demain.", "Écrivez à demain."),
    ("Merci @causerie !", "Merci !"),
    ("3\ufe0f\u20e3Or la bataille", "Or la bataille"),
    ("On décolle \U0001F680 demain", "On décolle demain"),
    ("#nucléaire", "nucléaire"),
    ("hashtag#nucléaires", "nucléaires"),
    # --- symbols ------------------------------------------------------------
    ("Recherche & développement", "Recherche et développement"),
    ("2 + 2 = 4", "deux plus deux égale quatre"),
    ("production → consommation", "production consommation"),
    ("Et alors…", "Et alors…"),
    ("n°5", "numéro cinq"),
    ("N° 12", "numéro douze"),
    ("x10", "fois dix"),
    ("×10", "fois dix"),
    # --- prosody and plain prose --------------------------------------------
    ("Vraiment ? Oui ! Bon : on y va ; d'accord.", "Vraiment ? Oui ! Bon : on y va ; d'accord."),
    (
        "Le 14/02/2025 à 8h30, RTE a annoncé 10GW.",
        "Le quatorze février deux mille vingt-cinq à huit heures trente, erre té e a annoncé dix gigawatts.",
    ),
]


@pytest.mark.parametrize(("written", "spoken"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


def test_golden_table_is_large_enough() -> None:
    assert len(GOLDEN) >= 70
    assert len({w for w, _ in GOLDEN}) == len(GOLDEN), "duplicate inputs hide a missing case"


@pytest.mark.parametrize("written", [g[0] for g in GOLDEN])
def test_idempotent(written: str) -> None:
    once = normalize(written)
    assert normalize(once) == once


@pytest.mark.parametrize("written", [g[0] for g in GOLDEN])
def test_no_digit_remains(written: str) -> None:
    assert not re.search(r"\d", normalize(written))


def test_ordinal_drops_num2words_plural_marks() -> None:
    assert ordinal(200) == "deux centième"
    assert ordinal(80) == "quatre-vingtième"
    assert ordinal(2_000_000) == "deux millionième"
    assert ordinal(1, feminine=True) == "première"


def test_every_rule_says_why_it_sits_where_it_does() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    assert all(r.why for r in RULES)


def test_pipeline_order_constraints() -> None:
    order = [r.name for r in RULES]

    def before(a: str, b: str) -> bool:
        return order.index(a) < order.index(b)

    assert before("emoji", "cardinal_number")  # keycap digits never spoken
    assert before("thousand_groups", "money_after")
    assert before("money_after", "units")
    assert before("money_after", "magnitude")
    assert before("units", "letter_digit_split")
    assert before("arabic_ordinal", "letter_digit_split")
    assert before("letter_digit_split", "cardinal_number")
    assert before("roman_ordinal", "acronym")


def test_plain_prose_is_untouched() -> None:
    text = "Bonjour à tous, aujourd'hui on parle d'énergie et de climat."
    assert normalize(text) == text


def test_paragraphs_survive() -> None:
    assert normalize("Premier point.\n\nDeuxième point.") == "Premier point.\n\nDeuxième point."
