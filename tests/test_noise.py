"""Page noise on the seed letters and on small made-up pages (no ../shared needed)."""

from __future__ import annotations

from assistant.ingest.corpus import split_text_pages
from assistant.ingest.noise import clean_pages
from assistant.ingest.parse import parse_file, parse_pages
from assistant.ingest.repair import repair_split_words
from tests.conftest import SEED_A, SEED_B


def test_seed_endnotes_leave_the_last_answer_and_join_their_questions() -> None:
    passages = {p.passage_id: p for p in parse_file(SEED_B).passages}
    last = passages["5209583-q22"]
    assert last.answer_text.endswith("zal Uw Kamer daar apart over informeren.")
    q1 = passages["5209583-q1"]
    assert q1.question_text.endswith("platform laat handel ongemoeid’?")  # "1) 2)" left
    assert [note[:24] for note in q1.footnotes] == ["NOS, 25 januari 2024, Mi",
                                                    "NOS, 25 januari 2024, Te"]  # fmt: skip
    assert "-op-telegram-" in q1.footnotes[0]  # the URL broken at a line end is whole again
    assert passages["5209583-q8"].footnotes == [
        "Aanhangsel van de Handelingen, vergaderjaar 2023-2024, nr. 212."]


def test_a_date_at_a_line_start_is_no_footnote_reference() -> None:
    q5 = next(p for p in parse_file(SEED_A).passages if p.questions == [5])
    assert "sinds de strafbaarstelling daarvan op 1 januari jl." in q5.question_text


def test_print_footers_split_pages_and_footnotes_are_cut() -> None:
    text = "\n".join([
        "Vraag 1", "Kent u het artikel «Katten op de boot»?", "1 Hoe vaak gebeurt dat?",
        "Antwoord 1", "Ja. Het gebeurt zelden, zegt de rederij.", "1NOS, 3 mei 2024, «Katten».",
        "ah-tk-20242025-999",
        "ISSN 0921 - 7398’s-Gravenhage 2024Tweede Kamer, vergaderjaar 2024–2025, Aanhangsel 1",
        "Vraag 2", "Wat gaat u doen?", "Antwoord 2", "Niets.",
        "Tweede Kamer, vergaderjaar 2024–2025, Aanhangsel 2",
    ])  # fmt: skip
    pages = split_text_pages(text)
    assert len(pages) == 2
    cleaned = clean_pages(pages)
    assert cleaned.footnotes == {1: "NOS, 3 mei 2024, «Katten»."}
    assert "Aanhangsel" not in "".join(cleaned.pages) and "ah-tk" not in "".join(cleaned.pages)
    letter = parse_pages(pages, "ah-999.txt")
    q1 = letter.passages[0]
    assert q1.question_text == "Kent u het artikel «Katten op de boot»? Hoe vaak gebeurt dat?"
    assert q1.footnotes == ["NOS, 3 mei 2024, «Katten»."]
    assert q1.answer_text == "Ja. Het gebeurt zelden, zegt de rederij."
    assert letter.document.aanhangsel == "ah-tk-20242025-999"


def test_split_and_glued_words_are_repaired_only_when_unambiguous() -> None:
    vocabulary = {"operationele", "slechts", "artikel"}
    assert repair_split_words("De O perationele dienst", vocabulary) == "De Operationele dienst"
    assert repair_split_words("Wilt u s lechts één zaak", vocabulary) == "Wilt u slechts één zaak"
    assert repair_split_words("in ar tikel 3", vocabulary) == "in artikel 3"
    # "u", "de" and "zo" are words: these stay as they are.
    assert repair_split_words("kunt u de brief zo als", vocabulary) == "kunt u de brief zo als"
    assert repair_split_words("vanuit uwKamer", set()) == "vanuit uw Kamer"
    assert repair_split_words("verergerd.Dit leidt", set()) == "verergerd. Dit leidt"
    for kept in ("GroenLinks-PvdA", "DigiD", "www.Rijksoverheid.nl", "Stb.2024"):
        assert repair_split_words(kept, set()) == kept


def test_words_broken_at_a_line_end_are_joined_by_a_dutch_word_list() -> None:
    # Seed A prints "dit me ldt bij de aanbieders": "ldt" is no word, "meldt" is.
    q11 = next(p for p in parse_file(SEED_A).passages if p.questions == [11])
    assert "dit meldt bij de aanbieders" in q11.answer_text
    assert repair_split_words("zal plaatsvin den in mei", set()) == "zal plaatsvinden in mei"
    assert repair_split_words("de zoge naamde aanpak", set()) == "de zogenaamde aanpak"
    # Two words stay two words, also when the letter has them glued elsewhere.
    glued_elsewhere = {"beschikbareonderwijscapaciteit"}
    assert repair_split_words("de beschikbare onderwijscapaciteit", glued_elsewhere) == \
        "de beschikbare onderwijscapaciteit"  # fmt: skip


def test_words_glued_by_a_lost_space_are_split_only_after_small_words() -> None:
    cases = {
        "om dit tekunnen doen": "om dit te kunnen doen",
        "hetkabinet en deNAVO": "het kabinet en de NAVO",
        "HetIMG betaalt": "Het IMG betaalt",
        "de kwaliteitvan zorg": "de kwaliteit van zorg",
        "de Ombudsmanmet betrekking": "de Ombudsman met betrekking",
        "dat ikniet kan": "dat ik niet kan",
    }
    for text, repaired in cases.items():
        assert repair_split_words(text, set()) == repaired
    # Compounds, inflections, names, separable verbs and links stay whole.
    for kept in ("de tussenhandeldiensten", "de implementerende partners", "Philis zegt",
                 "is aangezegd", "een rechtshulpverzoek", "Den Haag", "OpenAI",
                 "https://www.tweedekamer.nl/kamerstukken/hetkabinet"):  # fmt: skip
        assert repair_split_words(kept, set()) == kept


def test_a_decimal_is_no_footnote_reference() -> None:
    """"1,5 graden" and "tot1,5" keep their digits though notes 1 and 5 exist (the
    Teunissen letter lost "1,5" to note 5, and its note text went to the wrong answers)."""
    notes = [f"{n}Bron nummer {n}." for n in range(2, 5)]
    page = "\n".join([
        "Vraag 1", "Hoe hoog mag de opwarming worden?", "Antwoord 1",
        "Het doel is beneden 2 en streven naar 1,5 graden; de opwarming tot1,5 graden",
        "beperken vraagt veel, zoals het rapport1 zegt, bron2 en 3 en 4, en de Kamerbrief.5",
        "1Rapport, 8 oktober 2024.", *notes, "5Kamerstuk 31 793 nr. 274.",
    ])  # fmt: skip
    (passage,) = parse_pages([page, "Vraag 2\nEn nu?\nAntwoord 2\nNiets."], "d.txt").passages[:1]
    assert "streven naar 1,5 graden; de opwarming tot 1,5 graden" in passage.answer_text
    assert passage.footnotes[0] == "Rapport, 8 oktober 2024."
    assert passage.footnotes[-1] == "Kamerstuk 31 793 nr. 274."


def test_a_repeated_body_sentence_is_no_page_header() -> None:
    """Only lines at a page's top or bottom count as repeated headers and footers."""
    body = ["Vraag {n}", "Klopt bericht {n}?", "Antwoord {n}", "Dat is zo.",
            "Zie ook het antwoord op de vorige vraag hierboven.", "Het kabinet kijkt er naar."]
    filler = [f"Regel {i} van de uitleg over het onderwerp." for i in range(8)]
    pages = ["\n".join(["Kenmerk 2024-0001 pagina"] + filler[:4] + [line.format(n=n)
                                                                     for line in body]
                       + filler) for n in range(1, 5)]  # fmt: skip
    cleaned = clean_pages(pages)
    for page in cleaned.pages:
        assert "Zie ook het antwoord op de vorige vraag hierboven." in page
        assert "Kenmerk 2024-0001 pagina" not in page  # the real header still goes


def test_a_hyphen_kept_from_a_line_end_break_goes() -> None:
    """Issue #17: "individu-eel", "dagpro-gramma" were quoted with the hyphen of a line
    break; whole words joined by a hyphen keep it."""
    cases = {
        "in een individu-eel programma": "in een individueel programma",
        "een sober dagpro-gramma.": "een sober dagprogramma.",
        "de achtergron-den van het delict": "de achtergronden van het delict",
        "die op 19 november plaats-vindt.": "die op 19 november plaatsvindt.",
        "de mijnbouwactivitei-ten": "de mijnbouwactiviteiten",
        "Commis-sie en Neder-land": "Commissie en Nederland",
        "de veiligheidsre-gio’s": "de veiligheidsregio’s",
    }
    for text, mended in cases.items():
        assert repair_split_words(text, set()) == mended
    # The letter writes it closed elsewhere: joined, though both halves are words.
    assert repair_split_words("de capaciteits-fixus", {"capaciteitsfixus"}) == \
        "de capaciteitsfixus"  # fmt: skip
    for kept in ("Noord-Holland", "e-mail", "ICT-systeem", "EBI-gedetineerden", "t/m",
                 "minister-president", "rechter-commissaris", "oud-minister", "zee-egel",
                 "re-integratie", "auto-ongeluk", "sociaal-economische", "back-ups",
                 "rood-wit-blauw", "GroenLinks-PvdA", "niet-westerse", "cv-ketel",
                 "https://www.rijksoverheid.nl/docu-menten", "info@dagpro-gramma.nl",
                 "in- en uitstroom", "ex-partner", "kosten-batenanalyse"):  # fmt: skip
        assert repair_split_words(kept, set()) == kept


def test_small_words_are_not_joined_into_a_rarer_word() -> None:
    """Issue #17: "het OM en de politie" became "het OM ende politie" (and "in de" "inde")
    because the letter had "ende"/"inde" glued elsewhere and wordfreq knows both."""
    glued_elsewhere = {"ende", "inde", "inte", "opeen", "informatie", "deze"}
    assert repair_split_words("het OM en de politie", glued_elsewhere) == "het OM en de politie"
    assert repair_split_words("zit in de omgeving", glued_elsewhere) == "zit in de omgeving"
    assert repair_split_words("op een moment", glued_elsewhere) == "op een moment"
    # A word the extractor split still joins: its joined form is as common as its tail.
    assert repair_split_words("meer in formatie", glued_elsewhere) == "meer informatie"
    assert repair_split_words("de ze brief", glued_elsewhere) == "deze brief"


def test_more_words_glued_at_a_line_join_are_split() -> None:
    """Issue #17: "hebbenzoals" and other glues of a closed-class word (adverb,
    conjunction, finite verb) to a known word."""
    cases = {
        "geen contact met anderen hebbenzoals verzocht": "geen contact met anderen hebben "
                                                         "zoals verzocht",
        "In het algemeengeldt dat": "In het algemeen geldt dat",
        "met die groep contactmag hebben": "met die groep contact mag hebben",
        "Ik ganiet in op": "Ik ga niet in op",
        "Als erdaarna niets gebeurt": "Als er daarna niets gebeurt",
        "dit wordtde beoordeling": "dit wordt de beoordeling",
        "een zeerbelangrijk doel": "een zeer belangrijk doel",
        "een financiëlebijdrage": "een financiële bijdrage",
        "de directeur is bevoegdEBI-gedetineerden": "de directeur is bevoegd "
                                                    "EBI-gedetineerden",
        "van selectie,plaatsing en DJI,het OM": "van selectie, plaatsing en DJI, het OM",
        "jl.Deze (her)beoordeling": "jl. Deze (her)beoordeling",
        "het kabinetis van mening": "het kabinet is van mening",
        "de opleidingof de school": "de opleiding of de school",
        "zijn de plannenom te": "zijn de plannen om te",
        "voor de 1,5 gradenal bereikt": "voor de 1,5 graden al bereikt",
    }  # fmt: skip
    for text, repaired in cases.items():
        assert repair_split_words(text, set()) == repaired
    # Compounds, separable verbs, pronominal adverbs, brackets and links stay whole.
    for kept in ("de tussenuitspraken", "de mijnschade", "er niet toedoet", "deel van uitmaakt",
                 "(veiligheids)informatie", "1,5 graden", "zie www.x.nl/a,b%20c", "de veelplegers",
                 "opdat", "hoewel", "het welzijn", "de meerkosten", "een weerstation",
                 "de huurwoningen", "de hoogte", "de koningin", "een crisis", "de verkoop",
                 "de eigendom", "het totaal", "in de praktijkbasis"):  # fmt: skip
        assert repair_split_words(kept, set()) == kept


def test_seed_hyphenated_words_survive() -> None:
    texts = " ".join(p.question_text + " " + p.answer_text
                     for path in (SEED_A, SEED_B) for p in parse_file(path).passages)  # fmt: skip
    for word in ("e-mailadres", "één-op-één", "rechter-commissaris", "Telegram-gebruiker"):
        assert word in texts
    assert "expose-groepen" not in texts and "exposegroepen" in texts  # a line-end break
