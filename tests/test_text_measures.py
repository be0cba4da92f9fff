"""Text primitives and script-level measures on small hand-made inputs whose values are worked out by hand."""

import pytest

from generator.writing.measures import SourceIndex, copied_ratio, copied_runs, opening_is_concrete, repeated_ratio, \
    repeats_previous
from generator.writing.text import (concrete_facts, facts_in_order, minutes, ngrams, number_contexts, number_keys,
                                    sentences, spoken_words, stem, tokenize, unsaid_facts)

# 10 words -> three 8-word runs
SOURCE = "Un deux trois quatre cinq six sept huit neuf dix."
# shares only its first 8-word run with SOURCE; 10 words -> three runs
COPYING = "Un, deux, trois, quatre, cinq, six, sept, huit et voilà !"


def test_tokenize_splits_elisions_and_drops_punctuation():
    assert tokenize("L’IA d’OpenAI, jusqu'à 2,5 GW !") == ["l", "ia", "d", "openai", "jusqu", "à", "2,5", "gw"]
    assert tokenize("C'est-à-dire qu'aujourd'hui, lorsqu'il pleut…") == [
        "c", "est-à-dire", "qu", "aujourd'hui", "lorsqu", "il", "pleut"]


def test_ngrams():
    assert ngrams("Le chat dort, vraiment.", n=2) == [("le", "chat"), ("chat", "dort"), ("dort", "vraiment")]
    assert ngrams("Trop court", n=3) == []
    assert len(ngrams(SOURCE)) == 3


def test_copied_runs_uses_the_index():
    index = SourceIndex([SOURCE, "autre texte"])
    assert index.n == 8 and len(index) == 3
    assert copied_runs(COPYING, index) == 1
    assert copied_runs(COPYING, index, 8) == 1
    assert copied_runs("Rien à voir avec la source, vraiment rien du tout.", index) == 0
    with pytest.raises(ValueError):
        copied_runs(COPYING, index, 5)


def test_runs_do_not_cross_source_boundaries():
    index = SourceIndex(["un deux trois quatre", "cinq six sept huit"])
    assert len(index) == 0
    assert copied_runs("un deux trois quatre cinq six sept huit", index) == 0


def test_copied_ratio():
    # COPYING: 1 copied run of 3; the second turn has 8 words -> 1 run, not copied.
    other = "Rien à voir avec la source, vraiment rien."
    assert copied_ratio([COPYING, other], [SOURCE]) == pytest.approx(1 / 4)
    assert copied_ratio([SOURCE], [SOURCE]) == 1.0
    assert copied_ratio(["Trop court."], [SOURCE]) == 0.0


def test_repeated_ratio():
    loop = "On en parle encore et encore chaque semaine"        # 8 words -> 1 run
    fresh = "La psilocybine agit sur les récepteurs de sérotonine"  # 8 words -> 1 run
    assert repeated_ratio([loop, loop]) == 1.0
    assert repeated_ratio([loop, fresh, loop.upper() + " !"]) == pytest.approx(2 / 3)
    assert repeated_ratio([loop, fresh]) == 0.0
    assert repeated_ratio([]) == 0.0


PREVIOUS = [
    "Bienvenue dans Causerie, aujourd'hui on parle de la psilocybine et du cerveau.",
    "La psilocybine augmente la connectivité du cerveau chez les patients déprimés.",
]


def test_repeats_previous_exact_duplicate():
    assert repeats_previous("la psilocybine augmente LA connectivité du cerveau chez les patients déprimés !",
                            PREVIOUS)
    assert repeats_previous("Oui.", ["Oui !"])


def test_repeats_previous_long_shared_run():
    # shares "aujourd'hui on parle de la psilocybine et du" (8 words) with the first turn
    assert repeats_previous("Et donc aujourd'hui on parle de la psilocybine et du sommeil.", PREVIOUS)
    assert not repeats_previous("Et donc aujourd'hui on parle de la psilocybine et du sommeil.", PREVIOUS, n=9)


def test_repeats_previous_quoting_the_last_turn():
    quote = "Oui, la psilocybine augmente la connectivité du cerveau chez les déprimés, voilà."
    assert repeats_previous(quote, PREVIOUS, n=12)   # no 12-word run: the overlap rule fires
    # the same words quoted from an older turn are not "the last turn"
    assert not repeats_previous(quote, PREVIOUS[::-1], n=12)


def test_repeats_previous_natural_replies():
    assert not repeats_previous("Et ces effets durent combien de temps, selon les chercheurs ?", PREVIOUS)
    assert not repeats_previous("Oui, c'est ça.", PREVIOUS)
    assert not repeats_previous("Bienvenue dans Causerie.", [])
    assert not repeats_previous("", PREVIOUS)


FACT_SOURCE = ("Le 5 avril 2025, Meta a publié Llama 4. Mark Zuckerberg promet 600 000 GPU. "
               "Le site de Lulea consomme 10 GW, dont 40 % d'éolien. Cette étude date de 2021. "
               "Elle a coûté 2,5 milliards d'euros à OVH.")


def test_concrete_facts():
    assert concrete_facts(FACT_SOURCE) == {
        "5 avril 2025", "Meta", "Llama 4", "Mark Zuckerberg", "600 000 GPU", "Lulea", "10 GW", "40 %",
        "2021", "2,5 milliards", "OVH",
    }


def test_concrete_facts_skips_common_words_and_acronyms():
    assert concrete_facts("Cependant, les GPU et l'IA coûtent cher. Ensuite, rien.") == set()
    assert concrete_facts("En mars 2024, rien.") == {"mars 2024"}
    # a sentence opening on a common word keeps the name after it; first names stay
    assert concrete_facts("Aujourd'hui Microsoft investit. Mardi Google répond. Mark Zuckerberg aussi.") == {
        "Microsoft", "Google", "Mark Zuckerberg"}


FACTS = concrete_facts(FACT_SOURCE)


@pytest.mark.parametrize("turns, expected", [
    (["Aujourd'hui, les datacenters ! Celui de Lulea consomme énormément.", "Ah oui ?"], True),  # name
    (["On parle de datacenters.", "Et il y en a un qui consomme 10 gigawatts."], True),        # number
    (["On parle de datacenters.", "Et il y en a un qui consomme dix gigawatts."], True),       # spelled
    (["Les DATACENTERS, vous connaissez ?", "Oui, depuis 2021 on en parle."], True),          # year
    (["On parle de datacenters.", "Depuis le 5 avril, tout change."], True),                  # day + month
    (["On parle de datacenters.", "C'est un sujet passionnant."], False),                      # no fact
    (["On parle de Meta et de Llama 4.", "Oui, 600 000 GPU !"], False),                        # no subject
    (["On parle de datacenters.", "Oui.", "Lulea consomme 10 GW."], False),                    # too late
])
def test_opening_is_concrete(turns, expected):
    assert opening_is_concrete(turns, ["datacenter"], FACTS) is expected


def test_small_spelled_numbers_need_their_unit():
    facts = {"3 patients"}
    assert opening_is_concrete(["L'essai sur la psilocybine a suivi trois patients."], ["psilocybine"], facts)
    assert opening_is_concrete(["La psilocybine : 3 volontaires."], ["psilocybine"], facts)   # digits suffice
    assert not opening_is_concrete(["La psilocybine, trois fois par an."], ["psilocybine"], facts)


def test_opening_subject_is_accent_and_stem_insensitive():
    facts = {"2021"}
    assert opening_is_concrete(["L'ENERGIE des serveurs, en 2021."], ["énergie"], facts)
    assert opening_is_concrete(["La psilocybin, testée en 2021."], ["psilocybine"], facts)
    assert not opening_is_concrete(["L'énergie, en 2021."], [], facts)
    assert not opening_is_concrete(["L'énergie, en 2021."], ["énergie"], set())


def test_spoken_words_and_minutes():
    assert spoken_words(["L'électricité coûte 2,5 euros.", "Oui !"]) == 5
    assert spoken_words("un deux trois") == 3
    assert spoken_words([]) == 0
    assert minutes(["mot " * 150]) == 1.0
    assert minutes(["mot " * 150, "mot " * 50], wpm=100) == 2.0
    with pytest.raises(ValueError):
        minutes(["mot"], wpm=0)


def test_facts_in_order_follow_the_text():
    text = "En 1970, Félix Trombe mesura 3500 degrés à Odeillo, avec 63 héliostats."
    facts = facts_in_order(text)
    assert set(facts) == concrete_facts(text)
    assert facts.index("1970") < facts.index("Félix Trombe") < facts.index("3500") < facts.index("Odeillo") < facts.index("63")


def test_unsaid_facts_keep_only_what_no_turn_mentions():
    facts = ["1970", "3500 degrés", "63 héliostats", "Félix Trombe"]
    turns = ["Le four date de mille neuf cent soixante-dix, tu sais.", "On y mesure 3500 degrés au foyer !"]
    assert unsaid_facts(facts, turns) == ["63 héliostats", "Félix Trombe"]
    assert unsaid_facts(facts, turns + ["Merci à Félix et à ses 63 miroirs."]) == []
    assert unsaid_facts(facts, []) == facts


def test_common_nouns_capitalised_by_convention_are_not_concrete_facts():
    source = ("Le four concentre la lumière du Soleil sur la cible. Félix Trombe l'installe à Odeillo Sur "
              "les hauteurs, loin de Paris, et la Terre tourne.")
    facts = concrete_facts(source)
    assert "Soleil" not in facts and "Terre" not in facts
    assert {"Félix Trombe", "Odeillo", "Paris"} <= facts and "Odeillo Sur" not in facts
    vague = ["Bonjour, on parle du four solaire et de la traversée du soleil.", "Oui, un outil géant !"]
    concrete = ["Bonjour, on parle du four solaire d'Odeillo.", "Oui, construit par Félix Trombe !"]
    assert not opening_is_concrete(vague, ["four", "solaire"], facts)
    assert opening_is_concrete(concrete, ["four", "solaire"], facts)


def test_one_sentence_splitter_for_written_and_spoken_text():
    text = ("M. Dupont est arrivé. Il a dit « bonjour ! » Puis il est parti… En 1970, F. Trombe mesura 3.5 m. "
            "Fin. (Voir p. 3.) Ok")
    assert sentences(text) == ["M. Dupont est arrivé.", "Il a dit « bonjour ! »", "Puis il est parti…",
                               "En 1970, F. Trombe mesura 3.5 m.", "Fin.", "(Voir p. 3.)", "Ok"]
    assert sentences("oui. et alors ? non") == ["oui. et alors ? non"]          # written text wants a capital
    assert sentences("oui. et alors ? non", any_case=True) == ["oui.", "et alors ?", "non"]
    assert sentences("Ligne un\nLigne deux") == ["Ligne un", "Ligne deux"]
    assert sentences("") == []


def test_numbers_are_compared_as_said():
    assert number_keys("3 500 °C, soixante-trois héliostats, 2,50 euros, en mille neuf cent soixante-dix") >= {
        "3500", "63", "2.5", "1970"}
    assert number_keys("soixante-trois", spelled=False) == set()


def test_a_number_keeps_what_it_counts():
    source = number_contexts("Sur la pente, 63 héliostats suivent le Soleil ; au foyer, 3 500 °C et 80 % du coût.")
    assert "helios" in source["63"] and source["3500"] == {stem("degrés")} and source["80"] == {stem("pourcent")}
    said = number_contexts("Il mesure soixante-trois mètres et chauffe à 3500 degrés, 80 pour cent du temps.")
    assert said["63"] == {stem("mètres")} and said["3500"] == {stem("degrés")} and said["80"] == {stem("pourcent")}


def test_stems_meet_across_inflections():
    assert stem("transmission") == stem("transmissibles") == stem("transmises")
    assert stem("miroirs") == stem("miroir")


def test_sentences_of_punctuation_alone_do_not_break():
    assert sentences("? ! Oui.", any_case=True) == ["?", "!", "Oui."]
    assert sentences("Bon… ?! Et alors", any_case=True)[-1] == "Et alors"
