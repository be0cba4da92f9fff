"""Shared cleaning steps, on small inputs written here."""

from generator.ingest import clean as c


def test_mojibake_double_encoded_utf8_is_repaired():
    original = "MÉTADONNÉES : été à la plage 🙂"
    broken = original.encode("utf-8").decode("cp1254")     # how our chat chunks arrived
    assert broken.startswith("MÃ‰TADONNÃ‰ES") and "ğŸ™‚" in broken
    assert c.clean(broken) == original


def test_mojibake_from_cp1252_roundtrip():
    original = "Les MÉTADONNÉES du réseau — déjà vues"
    broken = original.encode("utf-8").decode("cp1252")
    assert "Ã" in broken
    assert c.clean(broken) == original


def test_bom_crlf_soft_hyphen_zero_width_nbsp():
    text = "\ufeffPremière ligne.\r\nDeu\u00adxième\u200b ligne.\rTrois\u00a0mille\u202fmots."
    out = c.clean(text, rewrap_lines=False)
    assert out == "Première ligne.\nDeuxième ligne.\nTrois mille mots."


def test_zero_width_joiner_kept_inside_emoji():
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467"
    assert family in c.clean(f"Une famille {family} en vacances.")


def test_hard_wrapped_paragraph_is_rejoined():
    text = (
        "Le vent soufflait depuis trois jours sur la plaine et les habitants\n"
        "commençaient à craindre pour les récoltes de l'année, déjà bien\n"
        "maigres après un printemps trop sec.\n"
        "\n"
        "Deuxième paragraphe."
    )
    out = c.clean(text)
    assert out.split("\n\n") == [
        "Le vent soufflait depuis trois jours sur la plaine et les habitants commençaient à craindre "
        "pour les récoltes de l'année, déjà bien maigres après un printemps trop sec.",
        "Deuxième paragraphe.",
    ]


def test_hyphenation_at_line_end_is_undone_but_compound_names_kept():
    out = c.clean("Un exem-\nple simple et Jean-\nMarc.")
    assert "exemple simple" in out
    assert "Jean-" in out and "exem-" not in out


def test_short_intentional_lines_are_not_joined():
    text = "Ingrédients :\n- farine\n- sucre\n- beurre"
    assert c.clean(text) == text


def test_repeated_title_collapses_to_longest_variant():
    text = (
        "Le prix du blé grimpe en Europe. Et demain en ?\n\n"
        "Le prix du blé grimpe en Europe. Et demain en ?\n"
        "Le prix du blé grimpe en Europe. Et demain en Asie ?\n\n"
        "Premier paragraphe de l'article.\n"
    )
    out = c.clean(text)
    assert out.count("Le prix du blé") == 1
    assert out.startswith("Le prix du blé grimpe en Europe. Et demain en Asie ?")
    assert "Premier paragraphe" in out


def test_gutenberg_header_and_licence_removed():
    text = (
        "The Project Gutenberg eBook of Something\nTitle: Something\n"
        "*** START OF THE PROJECT GUTENBERG EBOOK SOMETHING ***\n"
        "Chapitre premier.\n\nIl était une fois.\n"
        "*** END OF THE PROJECT GUTENBERG EBOOK SOMETHING ***\n"
        "Licence text that nobody wants to hear read aloud."
    )
    out = c.clean(text)
    assert out == "Chapitre premier.\n\nIl était une fois."


def test_site_boilerplate_lines_dropped():
    text = (
        "Un article sur la météo.\n\n"
        "Il fera beau demain sur toute la région.\n\n"
        "For Latest Updates Follow us on Google News\n"
        "Laisser un commentaire\n"
        "Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *\n"
        "Ce site utilise Akismet pour réduire les indésirables.\n"
        "PREV Un autre titre sans rapport\n"
        "NEXT Encore un autre titre\n"
    )
    out = c.clean(text)
    assert out == "Un article sur la météo.\n\nIl fera beau demain sur toute la région."


def test_image_caption_credit_tags_and_counter_dropped():
    text = (
        "a red boat on a calm lake\n\n"
        "Credits image : Someone / Unsplash\n\n"
        "ScienceEnvironnementSociété\n"
        "0\n\n"
        "Le vrai titre\n\n"
        "Le texte commence ici."
    )
    assert c.clean(text) == "Le vrai titre\n\nLe texte commence ici."


def test_prose_starting_like_navigation_survives():
    text = "Next, the engineers rebuilt the sails.\n\nPrevious attempts had failed."
    assert c.clean(text) == text


def test_sentence_mentioning_follow_us_survives():
    text = "Il a dit « follow us on the trail » avant de partir."
    assert c.clean(text) == text


def test_hashtags_become_words():
    assert c.clean("Le plan hashtag#industriel et #énergie, mais pas C# ni #1.") == \
        "Le plan industriel et énergie, mais pas C# ni #1."


def test_urls_reduced_to_domain():
    text = ("Voir le post :https://www.linkedin.com/posts/someone-123_abc?utm_source=share&rcm=XYZ "
            "et (https://example.org/a/b?c=d).")
    assert c.clean(text) == "Voir le post : linkedin.com et (example.org)."


def test_glued_sentences_get_their_space_back():
    assert c.clean("Fin de phrase.Début suivant. Et pertinente ?Quel avis") == \
        "Fin de phrase. Début suivant. Et pertinente ? Quel avis"


def test_inline_date_metadata_prefix_removed():
    assert c.clean(" date 2023-11 Le texte commence.") == "Le texte commence."


def test_whitespace_collapsed():
    assert c.clean("Un   deux\t trois\n\n\n\nquatre   ") == "Un deux trois\n\nquatre"
