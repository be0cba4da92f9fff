"""Each turn check on French lines that pass and lines that fail (measured failures of the 1.5B model)."""

from __future__ import annotations

import pytest

from generator.hosts import parse_hosts
from generator.writing import checks as c
from generator.writing.factbank import Fact
from generator.writing.grammar import GrammarChecker
from generator.writing.guard import FrenchGuard
from generator.writing.plan import TurnSpec
from generator.writing.script import Turn

HOSTS = parse_hosts("Camille,Thomas")          # Camille: female voice, Thomas: male voice
SOURCES = [
    "Le grand four solaire d'Odeillo a été mis en service en 1970 par le CNRS, à Font-Romeu-Odeillo-Via.",
    "Sur la pente, 63 héliostats suivent la course du Soleil. Au foyer, la température dépasse 3 500 °C.",
    "Le four n'a jamais été conçu pour produire de l'électricité.",
    "Le physicien Félix Trombe avait d'abord construit un four à Mont-Louis en 1949.",
]
MIRRORS = Fact(2, SOURCES[1].split(". ")[0] + ".", 2, 0, ("63",), 0.8, 0.3)
HEAT = Fact(3, "Au foyer, la température dépasse 3 500 °C.", 2, 0, ("3 500 °C",), 0.7, 0.3)
NO_POWER = Fact(4, SOURCES[2], 3, 0, (), 0.5, 0.6)
OPENING = Fact(1, SOURCES[0], 1, 0, ("1970", "CNRS", "Odeillo", "Font-Romeu-Odeillo-Via"), 0.9, 0.0)


@pytest.fixture(scope="module")
def ctx():
    return c.CheckContext(FrenchGuard(), HOSTS, "le four solaire d'Odeillo", SOURCES,
                          grammar=GrammarChecker(["Camille", "Thomas", "Odeillo", "héliostats"]))


def spec(intent="explication", facts=(MIRRORS,), speaker=None):
    who = speaker if speaker is not None else (0 if intent in ("accroche", "question", "recapitulatif") else 1)
    return TurnSpec(who, intent, 1, tuple(facts), 35)


def turn(speaker, text, intent="explication"):
    return Turn(speaker=speaker, text=text, segment=1, intent=intent)


def fails(check, text, ctx, spec_=None, done=()):
    failure = check(c.Draft(text, spec_ or spec(), list(done)), ctx)
    return failure.check if failure else None


QUESTION = turn("Camille", "Et comment fonctionne le principe du four solaire ?", "question")


# ---------------------------------------------------------------- echo

def test_echo_a_question_answered_by_the_same_question(ctx):
    check = c.EchoCheck()
    assert fails(check, "Comment fonctionne le principe du four solaire ?", ctx, done=[QUESTION]) == "echo"
    assert fails(check, "Eh bien, 63 héliostats renvoient la lumière du Soleil vers un grand miroir courbe.",
                 ctx, done=[QUESTION]) is None


def test_echo_mostly_the_previous_words_or_nothing_new(ctx):
    check = c.EchoCheck()
    previous = turn("Thomas", "Les 63 héliostats suivent la course du Soleil toute la journée sur la pente.")
    assert fails(check, "Oui, les héliostats suivent la course du Soleil sur la pente, toute la journée.", ctx,
                 spec("question", speaker=0), [previous]) == "echo"
    assert fails(check, "Le four concentre du Soleil.", ctx,
                 done=[turn("Camille", "Le four concentre la lumière du Soleil ?", "question")]) == "echo"
    assert fails(check, "D'accord ! Et pourquoi l'avoir construit dans les Pyrénées ?", ctx,
                 spec("question", speaker=0), [previous]) is None


# ---------------------------------------------------------------- meta and persona

@pytest.mark.parametrize("line", [
    "Je vous présente aujourd'hui mon sujet de réplique : le four solaire.",
    "Quel est l'extrait du site d'Odeillo qui vous a été présenté ?",
    "L'extrait qui a été présenté parle d'un four.",
    "Selon la consigne, je dois parler du four.",
    "Comment puis-je vous aider aujourd'hui ?",
    "Bien sûr, je suis toujours là pour vous aider.",
    "En tant qu'IA, je trouve ce four fascinant.",
    "Je suis à Font-Romeu-Odeillo-Via, c'est le village du four.",
    "Bonjour Thomas, c'est un plaisir de vous rencontrer !",
    "Je suis le nouveau directeur de l'Andra et je connais bien le four.",
    "Je m'appelle Camille et je découvre le four.",
    "Bonjour à tous ! Nous avons bien entendu que vous cherchez les informations sur le four d'Odeillo.",
    "Je comprends, je vais donc essayer de clarifier cela. Quels sont les héliostats ?",
    "Je vous prie de noter que PROMES travaille sur ce grand four solaire.",
    "Bien sûr, la phrase 'Le four fonctionne comme une loupe' est une bonne explication.",
    "Le four a été mis en service en 1970. Cela fait partie du programme de Causerie.",
    "Je peux vous donner ces chiffres, Camille : 63 héliostats et 3 500 °C.",
    "Je vais expliquer comment le four et ses héliostats fonctionnent.",
    "En tant qu'expert du solaire, je serai heureux de répondre à toutes vos questions. Bonne journée !",
    "Je serais ravi de continuer notre conversation si vous avez besoin de plus d'aide. Au revoir !",
    "Merci pour vos questions. Je suis content d'être là pour répondre à vos questions. À bientôt !",
    "Je vous remercie Camille pour vos questions. Je vais bien, merci. À bientôt.",
    "Mon retour se situe entre les commentaires précédents. Le four date de 1970.",
    "J'espère que tu te sentiras bien, au revoir Camille.",
    "Je peux améliorer ce texte en utilisant ces options de commande pour gérer le volume des données.",
])
def test_production_talk_and_assistant_persona_fail(ctx, line):
    assert fails(c.PersonaCheck(), line, ctx, spec("explication", speaker=0)) == "persona"


@pytest.mark.parametrize("line", [
    "Le passage des rayons dans l'air sec compte beaucoup, et le site a été choisi pour ça.",
    "On y étudie l'hydrogène extrait de l'eau grâce à la chaleur du Soleil.",
    "Je suis curieuse : pourquoi à Odeillo ?",
    "Le four va bien au-delà de 3 500 °C, merci aux 63 héliostats.",
    "Les héliostats peuvent améliorer le rendement du four en suivant le Soleil.",
])
def test_ordinary_words_are_not_production_talk(ctx, line):
    assert fails(c.PersonaCheck(), line, ctx, spec("question", speaker=0)) is None


def test_greeting_and_introduction_only_open_the_episode(ctx):
    hello = "Bonjour à tous ! Je m'appelle Camille, et aujourd'hui on parle du four solaire d'Odeillo."
    assert fails(c.PersonaCheck(), hello, ctx, spec("accroche", (OPENING,))) is None
    assert fails(c.PersonaCheck(), hello, ctx, spec("question")) == "persona"


# ---------------------------------------------------------------- roles

def test_the_expert_explains_and_the_curious_host_asks(ctx):
    assert fails(c.RoleCheck(), "Les héliostats, tu sais comment ils marchent ?", ctx) == "role"
    assert fails(c.RoleCheck(), "Vous savez quoi ? Les 63 héliostats suivent le Soleil. Et c'est tout ?", ctx) == "role"
    assert fails(c.RoleCheck(), "Vous savez quoi ? Les 63 héliostats suivent le Soleil toute la journée.", ctx) is None
    assert fails(c.QuestionCheck(), "Les héliostats suivent le Soleil.", ctx, spec("question")) == "no-question"
    assert fails(c.QuestionCheck(), "Et les héliostats, ils servent à quoi ?", ctx, spec("question")) is None
    assert not c.RoleCheck().applies(spec("question"))


def test_a_question_leads_to_the_fact_its_answer_tells(ctx):
    check, mirrors = c.LeadCheck(), spec("question", (MIRRORS,))
    assert fails(check, "Et le physicien Félix Trombe, il a construit quoi à Mont-Louis ?", ctx, mirrors) == "off-topic"
    assert fails(check, "Et sur la pente, ces héliostats, ils font quoi ?", ctx, mirrors) is None
    assert fails(check, "Et concrètement, comment ça se passe ?", ctx, mirrors) is None, "asks nothing else"
    assert fails(check, "Et le physicien Félix Trombe, il a construit quoi ?", ctx, spec("question", ())) is None


# ---------------------------------------------------------------- substance

def test_assigned_fact_is_conveyed_by_its_figures_or_its_words(ctx):
    check = c.FactCheck()
    assert fails(check, "Sur la pente, il y a soixante-trois héliostats qui bougent avec le Soleil.", ctx) is None
    assert fails(check, "Le four est un endroit vraiment fascinant à visiter.", ctx) == "fact"
    wordy = spec("explication", (NO_POWER,))
    assert fails(check, "Ce four n'est pas là pour produire de l'électricité : il sert à la recherche.", ctx, wordy) is None
    assert fails(check, "C'est un outil de recherche sur les matériaux.", ctx, wordy) == "fact"


def test_naming_the_subject_is_not_conveying_the_opening_fact(ctx):
    opening = spec("accroche", (OPENING,))
    assert fails(c.FactCheck(), "Bonjour à tous ! On part pour le four solaire d'Odeillo.", ctx, opening) == "fact"
    assert fails(c.FactCheck(), "Bonjour à tous ! Le four d'Odeillo tourne depuis 1970.", ctx, opening) is None


def test_numbers_and_names_absent_from_the_sources_fail(ctx):
    check = c.GroundingCheck()
    assert fails(check, "Il mesure 47 mètres de haut et 50 de large.", ctx) == "unsupported"
    assert fails(check, "Il a coûté des conséquences sur l'économie mondiale selon Elon Musk.", ctx) == "unsupported"
    assert fails(check, "Il a été mis en service en 2017.", ctx) == "unsupported"
    assert fails(check, "Félix Trombe l'a testé à Mont-Louis en 1949, puis le CNRS l'a ouvert en 1970.", ctx) is None
    assert fails(check, "On est à Font-Romeu-Odeillo-Via, avec soixante-trois héliostats.", ctx) is None
    assert fails(check, "Merci Camille, et à bientôt !", ctx, spec("conclusion", ())) is None
    # A place that is also a dictionary word is still a place the sources never name.
    assert fails(check, "Le four se trouve tout près de l'Antarctique.", ctx) == "unsupported"
    assert fails(check, "Les héliostats suivent la course du Soleil.", ctx) is None


def test_a_figure_on_the_wrong_thing_fails(ctx):
    check = c.GroundingCheck()
    assert fails(check, "Le four mesure 63 mètres de haut.", ctx) == "unsupported"
    assert fails(check, "Il y a 63 héliostats sur la pente.", ctx) is None


def test_contradiction_of_the_fact_or_within_the_turn(ctx):
    check = c.ContradictionCheck()
    no_power = spec("explication", (NO_POWER,))
    assert fails(check, "Le four a été conçu pour produire de l'électricité pour la région.", ctx, no_power) \
        == "contradiction"
    assert fails(check, "Le four n'a jamais servi à produire de l'électricité, c'est un outil de recherche.", ctx,
                 no_power) is None
    measured = ("Les mutations ne sont pas transmises aux descendants. Cela montre que les mutations sont "
                "clairement transmises aux descendants.")
    assert fails(check, measured, ctx, spec("explication", ())) == "contradiction"


# ---------------------------------------------------------------- French

def test_hosts_agree_with_their_own_gender(ctx):
    check = c.GenderCheck()
    camille = spec("question", speaker=0)
    assert fails(check, "Je suis vraiment curieux de savoir comment ça marche.", ctx, camille) == "gender"
    assert fails(check, "Je suis vraiment curieuse de savoir comment ça marche.", ctx, camille) is None
    assert fails(check, "Je suis impressionnée par ces miroirs.", ctx, spec("explication")) == "gender"
    assert fails(check, "Je suis impressionné par ces miroirs, et tu es prête pour la suite ?", ctx,
                 spec("explication")) is None
    assert fails(check, "Tu es prêt pour la suite ?", ctx, spec("explication")) == "gender"   # Thomas to Camille
    assert c.gender_of("ravie") == "f" and c.gender_of("ravi") == "m" and c.gender_of("tranquille") is None


def test_grammar_errors_left_after_safe_corrections_fail(ctx):
    check = c.GrammarCheck()
    assert fails(check, "Le consommation de pétrol augmente.", ctx) == "grammar"
    fixed, left = ctx.grammar.fix("Le consommation de pétrol augmente au foyer d'Odeillo.")
    assert fixed == "La consommation de pétrole augmente au foyer d'Odeillo." and left == []
    assert fails(check, fixed, ctx) is None
    assert fails(check, "Les héliostats renvoient la lumière vers le miroir environnementnel.", ctx) == "grammar"


# ---------------------------------------------------------------- shape of the episode

def test_closing_says_goodbye_and_never_ends_on_a_question(ctx):
    check = c.ClosingCheck()
    goodbye = spec("conclusion", ())
    assert fails(check, "Merci Camille ! Et vous, vous iriez le visiter ?", ctx, goodbye) == "closing"
    assert fails(check, "Merci Camille pour tes questions.", ctx, goodbye) == "closing"
    assert fails(check, "Merci Camille, et merci à vous de nous avoir écoutés. À bientôt !", ctx, goodbye) is None
    assert fails(check, "On retient 63 héliostats et", ctx, spec("recapitulatif", (MIRRORS,))) == "closing"


def test_the_opening_names_a_fact_beyond_the_subject(ctx):
    check = c.OpeningCheck()
    opening = spec("accroche", (OPENING,))
    assert fails(check, "Bonjour à tous ! Aujourd'hui, le four solaire d'Odeillo.", ctx, opening) == "vague-opening"
    assert fails(check, "Bonjour à tous ! Le four solaire d'Odeillo, ouvert par le CNRS en 1970.", ctx, opening) is None


def test_run_checks_reports_every_failure(ctx):
    failures = c.run_checks(c.Draft("Le four mesure 47 mètres. Comment puis-je vous aider ?", spec(), []), ctx)
    assert {"persona", "unsupported", "role"} <= {f.check for f in failures}
    assert [f.check for f in c.run_checks(c.Draft("   ", spec(), []), ctx)] == ["empty"]


def test_a_sentence_resting_on_nothing_in_the_sources_fails(ctx):
    check = c.OffSourceCheck()
    invented = "Il y a 63 héliostats. Ces mesures ont été choisies pour maximiser l'efficacité énergétique mondiale."
    assert fails(check, invented, ctx) == "off-source"
    assert fails(check, "Il y a 63 héliostats qui suivent la course du Soleil sur la pente.", ctx) is None
    assert fails(check, "Oui, c'est ça.", ctx) is None, "too short to judge"


def test_a_turn_saying_the_same_thing_twice_fails(ctx):
    twice = ("Félix Trombe a construit un four à Mont-Louis en 1949 pour tester l'idée. "
             "Félix Trombe a construit un four à Mont-Louis en 1949 pour tester l'idée.")
    assert fails(c.RepeatCheck(), twice, ctx) == "repeated"


def test_no_line_says_the_opposite_of_any_fact_of_the_episode():
    ctx = c.CheckContext(FrenchGuard(), HOSTS, "le four solaire d'Odeillo", SOURCES, facts=[MIRRORS, NO_POWER])
    line = "Les 63 héliostats suivent le Soleil, et le four a été conçu pour produire de l'électricité."
    assert fails(c.ContradictionCheck(), line, ctx, spec("explication", (MIRRORS,))) == "contradiction"
    # Measured in the demo episode: two of the fact's three content words, the other way round.
    measured = "Le principe est de concentrer la lumière. Ce faisant, le miroir peut être utilisé pour produire de l'électricité."
    assert fails(c.ContradictionCheck(), measured, ctx, spec("explication", (MIRRORS,))) == "contradiction"
    # Measured in the demo episode of 2026-12-07: a negation elsewhere in the sentence ("sans… aucune
    # flamme") made it count as negative, so it passed.
    measured = ("En 1970, ils ont conçu le grand four solaire d'Odeillo pour produire de l'électricité sans utiliser "
                "aucune flamme ni combustible.")
    assert fails(c.ContradictionCheck(), measured, ctx, spec("presentation", (MIRRORS,))) == "contradiction"
    # The same words said the same way round, "ne" dropped as people speak, or about something else: fine.
    for line in ("Le four produit une chaleur intense, pas de l'électricité.",
                 "Le four concentre la lumière pour produire une chaleur intense.",
                 "Il n'a jamais été conçu pour produire de l'électricité : c'est un outil de recherche."):
        assert fails(c.ContradictionCheck(), line, ctx, spec("explication", (MIRRORS,))) is None, line


def test_empty_preambles_are_cut_before_the_checks():
    from generator.writing.ladder import cut_preamble

    names = ["Camille", "Thomas"]
    assert cut_preamble("Bien sûr, je comprends votre question. 63 héliostats suivent le Soleil.", names) == \
        "63 héliostats suivent le Soleil."
    assert cut_preamble("Excellente question, Camille ! Au foyer, il fait 3 500 °C.", names) == \
        "Au foyer, il fait 3 500 °C."
    assert cut_preamble("Bien sûr.", names) == "Bien sûr."
    assert cut_preamble("Je peux vous dire que l'étape entre Nantes et Pornic fait 95 kilomètres.", names) == \
        "L'étape entre Nantes et Pornic fait 95 kilomètres."
    assert cut_preamble("En effet, je peux vous dire qu'il fait 3 500 °C au foyer du four.", names) == \
        "Il fait 3 500 °C au foyer du four."


def test_a_figure_below_zero_keeps_its_sign():
    ctx = c.CheckContext(FrenchGuard(), HOSTS, "la réserve de graines", ["Les graines sont gardées à moins 18 degrés."])
    assert fails(c.GroundingCheck(), "Elles sont à 18 degrés, une température douce.", ctx) == "unsupported"
    assert fails(c.GroundingCheck(), "Elles sont gardées à moins dix-huit degrés.", ctx) is None


def test_an_answer_that_has_no_information_is_a_refusal(ctx):
    line = "Je n'ai aucune information sur les conditions climatiques de la caverne."
    assert fails(c.FrenchCheck(), line, ctx) == "refusal"


def test_thanking_a_host_is_no_unknown_name(ctx):
    assert fails(c.GroundingCheck(), "Merci Thomas, et à bientôt !", ctx, spec("conclusion", (), speaker=0)) is None


def test_a_name_made_of_common_words_still_needs_a_source(ctx):
    line = "Le CNRS, le Centre National de Référence, gère le four."
    assert fails(c.GroundingCheck(), line, ctx) == "unsupported"


def test_reading_our_own_translation_is_not_copying_the_document():
    english = "The vault keeps the seeds at minus 18 degrees Celsius inside the mountain of Spitsbergen."
    french = "La réserve garde les graines à moins 18 degrés Celsius dans la montagne du Spitsbergen."
    ctx = c.CheckContext(FrenchGuard(), HOSTS, "la réserve", [english, french], originals=[english])
    assert fails(c.CopyCheck(), french, ctx) is None
    ctx = c.CheckContext(FrenchGuard(), HOSTS, "la réserve", [french])
    assert fails(c.CopyCheck(), french, ctx) == "copied"


def test_a_small_number_on_the_wrong_thing_fails():
    ctx = c.CheckContext(FrenchGuard(), HOSTS, "la Vélodyssée", ["Le train coûte 10 euros le trajet, en deux étapes."])
    assert fails(c.GroundingCheck(), "La Rochelle est à 10 km de Paris.", ctx) == "unsupported"
    assert fails(c.GroundingCheck(), "Le train coûte 10 euros, et on fait ça en deux fois.", ctx) is None


def test_a_recap_stitched_from_earlier_lines_fails(ctx):
    said = "Le four d'Odeillo a été mis en service en 1970 par le CNRS dans les Pyrénées."
    done = [turn("Thomas", said)]
    assert fails(c.RepeatCheck(), said, ctx, spec("recapitulatif", (OPENING,)), done) == "repeated"
    assert fails(c.RepeatCheck(), "On retient un four de 1970, lancé par le CNRS.", ctx,
                 spec("recapitulatif", (OPENING,)), done) is None


def test_the_second_turn_must_be_concrete_whatever_its_intent(ctx):
    opening = [turn("Camille", "Bonjour à tous ! Au programme : le four solaire d'Odeillo.", "accroche")]
    assert fails(c.OpeningCheck(), "C'est un endroit magnifique à découvrir.", ctx, spec("explication"), opening) \
        == "vague-opening"
    assert fails(c.OpeningCheck(), "Il a été ouvert en 1970 par le CNRS.", ctx, spec("explication"), opening) is None


def test_announcing_the_last_sentence_is_production_talk(ctx):
    line = "Bien sûr, voici la dernière phrase sur le four : c'est un voyage. Au revoir."
    assert fails(c.PersonaCheck(), line, ctx, spec("conclusion", ())) == "persona"


def test_an_elision_before_a_consonant_fails():
    ctx = c.CheckContext(FrenchGuard(), HOSTS, "le four solaire d'Odeillo", SOURCES)
    # Measured: an outline question Grammalecte let through, then taken up by the answer.
    assert fails(c.ElisionCheck(), "Dans quelle région est le site de l'Four solaire d'Odeillo ?", ctx) == "elision"
    for line in ("Aujourd'hui, l'hôpital et l'Yonne, c'est jusqu'où ? Lorsqu'il fait beau, qu'on se le dise.",
                 "Le site d'Odeillo est dans les Pyrénées-Orientales."):
        assert fails(c.ElisionCheck(), line, ctx) is None, line


def test_a_sentence_against_a_fact_is_cut_before_the_checks():
    from generator.writing.ladder import Ladder

    ctx = c.CheckContext(FrenchGuard(), HOSTS, "le four solaire d'Odeillo", SOURCES, facts=[MIRRORS, NO_POWER])
    line = ("Sur la pente, 63 héliostats suivent la course du Soleil toute la journée. "
            "Ce faisant, le miroir peut être utilisé pour produire de l'électricité.")
    repaired = Ladder(llm=None, ctx=ctx).repair(line, spec("explication", (MIRRORS,)))
    assert "électricité" not in repaired and "63 héliostats" in repaired


def test_the_list_pointing_at_a_fact_is_not_said_as_a_line():
    ctx = c.CheckContext(FrenchGuard(), HOSTS, "le four solaire d'Odeillo", SOURCES)
    ctx.handles = {"1970 et CNRS"}
    opening = spec("accroche", (OPENING,))
    # Measured: the instruction's pointer read out as the opening's first words.
    assert fails(c.InstructionCheck(), "Bonjour à tous ! Odeillo, 1970 et CNRS, c'est un grand four solaire.",
                 ctx, opening) == "instruction"
    assert fails(c.InstructionCheck(), "Bonjour à tous ! Le four d'Odeillo a été mis en service en 1970 par le CNRS.",
                 ctx, opening) is None


def test_the_expert_does_not_thank_the_curious_host_for_explaining(ctx):
    goodbye = spec("conclusion", ())
    line = "Je vous remercie Camille, je vais continuer à écouter vos explications. À bientôt !"
    assert fails(c.RoleCheck(), line, ctx, goodbye) == "role"
    assert fails(c.RoleCheck(), "Merci Camille pour toutes ces questions, et à très vite !", ctx, goodbye) is None
    # Said by the curious host, it is right.
    assert fails(c.RoleCheck(), "Merci Thomas pour tes explications, c'était clair.", ctx,
                 spec("recapitulatif", ())) is None
    assert fails(c.RoleCheck(), "Merci Thomas pour toutes ces questions, et à très vite !", ctx,
                 spec("conclusion", (), speaker=0)) == "role"
    measured = "C'est très intéressant et je n'ai pas pu répondre à toutes vos questions, mais merci. Au revoir."
    assert fails(c.RoleCheck(), measured, ctx, spec("conclusion", (), speaker=0)) == "role"
    measured = ("Je suis désolé si j'ai demandé trop de choses. Merci pour ta réponse précise et efficace ! "
                "Au revoir, Camille.")
    assert fails(c.RoleCheck(), measured, ctx, goodbye) == "role"
    assert fails(c.RoleCheck(), "Merci Thomas pour ta réponse, à bientôt !", ctx, spec("conclusion", (), speaker=0)) \
        is None
    assert fails(c.RoleCheck(), "Merci Camille pour toutes ces informations précises et claires. Au revoir !", ctx,
                 goodbye) == "role"


# ---------------------------------------------------------------- counts, chat members, restatements

ROUTE = ["L'idée : partir de Roscoff le 9 mai, soit environ 600 kilomètres en huit étapes.",
         "Je suis partante pour les quatre dernières étapes, à partir de Nantes le 13 mai."]
ROUTE_FACTS = [Fact(1, ROUTE[0], 1, 0, ("Roscoff", "9 mai", "600 kilomètres"), 0.9, 0.0, speaker="Sophie"),
               Fact(2, ROUTE[1], 1, 0, ("Nantes", "13 mai"), 0.8, 0.5, speaker="Lucie")]


def route_ctx(chat: bool) -> c.CheckContext:
    return c.CheckContext(FrenchGuard(), HOSTS, "la Vélodyssée", ROUTE, facts=ROUTE_FACTS, chat=chat)


def test_a_small_number_that_miscounts_what_the_sources_count():
    ctx, check = route_ctx(False), c.GroundingCheck()
    route = spec(facts=ROUTE_FACTS[:1])
    assert fails(check, "Le trajet fait environ 600 kilomètres en six étapes, depuis Roscoff.", ctx, route) == "unsupported"
    assert fails(check, "Le trajet fait environ 600 kilomètres en huit étapes, depuis Roscoff.", ctx, route) is None
    assert fails(check, "On fera les quatre étapes de la fin, depuis Nantes.", ctx, route) is None
    assert fails(check, "Il y a deux choses à savoir sur ce trajet depuis Roscoff.", ctx, route) is None


def test_hosts_tell_a_chat_without_speaking_as_its_members():
    check, route = c.MemberVoiceCheck(), spec(facts=ROUTE_FACTS[1:])
    assert fails(check, "Nous partirons de Nantes le 13 mai pour les dernières étapes.", route_ctx(True), route) == "member"
    assert fails(check, "Lucie partira de Nantes le 13 mai, pour les quatre dernières étapes.", route_ctx(True),
                 route) is None
    assert fails(check, "Je trouve ça joli : Lucie rejoint le groupe à Nantes le 13 mai.", route_ctx(True),
                 route) == "member"
    assert fails(check, "Nous partirons de Nantes le 13 mai pour les dernières étapes.", route_ctx(False), route) is None
    # The host's own voice around the fact is not a member's.
    assert fails(check, "Je peux vous expliquer que Lucie partira de Nantes le 13 mai.", route_ctx(True), route) is None
    assert fails(check, "Thomas, je comprends bien : Lucie part de Nantes le 13 mai ?", route_ctx(True), route) is None
    assert fails(check, "Je vais vous dire : nous partirons de Nantes le 13 mai.", route_ctx(True), route) == "member"


def test_an_answer_that_only_says_again_what_was_explained(ctx):
    check = c.RepeatCheck()
    earlier = [QUESTION, turn("Thomas", "Sur la pente, 63 héliostats suivent la course du Soleil toute la journée."),
               turn("Camille", "Et au foyer, il fait chaud ?", "question")]
    assert fails(check, "Les 63 héliostats, sur la pente, suivent le Soleil dans sa course.", ctx, done=earlier) == "repeated"
    assert fails(check, "Au foyer, on dépasse 3 500 °C, et les 63 héliostats y sont pour beaucoup.", ctx,
                 spec(facts=(HEAT,)), earlier) is None


def test_the_repair_cuts_a_sentence_already_said_when_the_answer_has_more(ctx):
    from generator.writing.ladder import Ladder
    earlier = [turn("Thomas", "Sur la pente, 63 héliostats suivent la course du Soleil toute la journée.")]
    line = "Les 63 héliostats suivent la course du Soleil sur la pente. Au foyer, la chaleur dépasse 3 500 °C, sans flamme."
    fixed = Ladder(None, ctx).repair(line, spec(facts=(HEAT,)), earlier)
    assert fixed.startswith("Au foyer") and "héliostats" not in fixed
    assert Ladder(None, ctx).repair(line, spec(facts=(HEAT,)), []) .startswith("Les 63")


def test_a_misspelt_word_becomes_its_nearest_suggestion_not_grammalectes_first():
    fixed, left = GrammarChecker(["Camille"]).fix("Il fait chaud au foyer, sans aucune flamm.")
    assert fixed == "Il fait chaud au foyer, sans aucune flamme." and not left


def test_a_masculine_or_plural_country_after_en_takes_au_or_aux():
    fixed, _ = GrammarChecker(["Camille"]).fix("Des arbres ont été plantés en Liban et en Maroc, puis en États-Unis.")
    assert fixed == "Des arbres ont été plantés au Liban et au Maroc, puis aux États-Unis."
    fixed, _ = GrammarChecker(["Camille"]).fix("En Japon comme en France et en Iran, on le sait.")
    assert fixed == "Au Japon comme en France et en Iran, on le sait."
    fixed, _ = GrammarChecker(["Camille"]).fix("Ils plantent dans le Liban et le Maroc, puis dans le Maroc de leur enfance.")
    assert fixed == "Ils plantent au Liban et au Maroc, puis dans le Maroc de leur enfance."


def test_a_year_after_an_event_takes_en():
    fixed, _ = GrammarChecker(["Camille"]).fix("Le four est mis en service à 1970 par le CNRS, de 1968 à 1970.")
    assert fixed == "Le four est mis en service en 1970 par le CNRS, de 1968 à 1970."


def test_a_title_the_sources_give_someone_else_or_none():
    sources = ["Le CFO de Meta, Susan Li, a souligné que la compagnie étudie de nouveaux centres de données.",
               "Mark Zuckerberg, le PDG de Meta, veut dix fois plus de calcul pour Llama 4."]
    ctx, check = c.CheckContext(FrenchGuard(), HOSTS, "Meta et le calcul", sources), c.GroundingCheck()
    assert fails(check, "Le CEO de Meta, Susan Li, parle de nouveaux centres de données.", ctx, spec(facts=())) \
        == "unsupported"
    assert fails(check, "Susan Li, la directrice financière de Meta, parle de nouveaux centres.", ctx,
                 spec(facts=())) is None
    assert fails(check, "Pour Llama 4, Mark Zuckerberg, CFO de Meta, veut dix fois plus de calcul.", ctx,
                 spec(facts=())) == "unsupported"
    assert fails(check, "Pour Llama 4, Mark Zuckerberg, CEO de Meta, veut dix fois plus de calcul.", ctx,
                 spec(facts=())) is None
    assert fails(check, "Pour Llama 4, Mark Zuckerberg, CFO de Meta, veut dix fois plus de calcul.", ctx,
                 spec(facts=())) == "unsupported"


def test_a_day_or_a_power_the_sources_do_not_give_that_way(ctx):
    check = c.GroundingCheck()
    assert fails(check, "Le four date de 1970, et le CNRS l'a ouvert le lendemain.", ctx, spec(facts=())) \
        == "unsupported"
    power = c.CheckContext(FrenchGuard(), HOSTS, "le four",
                           ["Au foyer du four solaire d'Odeillo, la puissance atteint 1 000 kilowatts."])
    assert fails(check, "Au foyer, la puissance atteint 1 000 kilowatts chaque année.", power, spec(facts=())) \
        == "unsupported"
    assert fails(check, "Au foyer, la puissance atteint 1 000 kilowatts, par beau temps.", power, spec(facts=())) \
        is None
    measured = "1 000 kilowatts est la puissance totale produite par le four solaire d'Odeillo chaque année."
    assert fails(check, measured, power, spec(facts=())) == "unsupported"
    assert fails(check, "Au foyer, la température dépasse 3 500 °C chaque jour de soleil.", ctx, spec(facts=())) is None
    day = c.CheckContext(FrenchGuard(), HOSTS, "la route", ["On part le 9 mai et on arrive le lendemain à Morlaix."])
    assert fails(check, "Le groupe part le 9 mai et arrive le lendemain à Morlaix.", day, spec(facts=())) is None


@pytest.mark.parametrize("line, verdict", [
    ("2023-02-02 04", "fragment"),                 # measured: a timestamp cut from its fact, said as an answer
    ("208164 rapports.", "fragment"),
    ("Les rapports de popcon datent du 2 février 2023.", None),
])
def test_an_answer_is_a_sentence_not_a_fragment(ctx, line, verdict):
    assert fails(c.FragmentCheck(), line, ctx, spec("explication")) == verdict
