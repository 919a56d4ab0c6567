"""Topic linking: lexical label matching (German and English) and the TopicSuggester."""

from __future__ import annotations

import pytest

from graph.errors import InvalidInput, NotFitted
from graph.records import Concept
from matching import Catalogue, HashingEncoder, TopicSuggester
from matching._text import LabelIndex, fold
from matching.topics import NEED_CLASSIFIER_WEIGHT

T = "https://w3id.org/regiomatch/concept/technology/"


def _concept(key: str, en: str, de: str, alt_en=(), alt_de=(), broader=(), related=(), scheme="technology"):
    return Concept(
        iri=f"https://w3id.org/regiomatch/concept/{scheme}/{key}",
        scheme=scheme,
        key=key,
        label_en=en,
        label_de=de,
        alt_en=tuple(alt_en),
        alt_de=tuple(alt_de),
        broader=tuple(f"https://w3id.org/regiomatch/concept/{scheme}/{b}" for b in broader),
        related=tuple(f"https://w3id.org/regiomatch/concept/{scheme}/{r}" for r in related),
    )


CONCEPTS = (
    _concept("trust-security", "Trust & security", "Vertrauen & Sicherheit"),
    _concept("connectivity-iot", "Connectivity & IoT", "Vernetzung & IoT", alt_de=["vernetzte Produktion"]),
    _concept(
        "cybersecurity", "Cybersecurity", "Cybersicherheit",
        alt_en=["IT security", "ransomware"], alt_de=["IT-Sicherheit", "Verschlüsselungstrojaner"],
        broader=["trust-security"],
    ),
    _concept(
        "internet-of-things", "Internet of Things", "Internet der Dinge",
        alt_en=["IoT"], alt_de=["Maschinenvernetzung"], broader=["connectivity-iot"],
    ),
    _concept(
        "sensors", "Sensors & Vision Processing Systems", "Sensorik & Bildverarbeitungssysteme",
        alt_en=["sensors"], alt_de=["Sensoren"], broader=["connectivity-iot"],
    ),
    _concept("robotics", "Robotics", "Robotik", alt_de=["Roboter"]),
    _concept("cloud-services", "Cloud Services", "Cloud-Dienste", alt_en=["cloud"], alt_de=["Cloud"]),
    _concept("training", "Training and skills", "Schulung", alt_de=["Weiterbildung"], scheme="service"),
)


@pytest.fixture(scope="module")
def suggester() -> TopicSuggester:
    return TopicSuggester(encoder=HashingEncoder()).fit(Catalogue(centres=(), concepts=CONCEPTS))


def _keys(found) -> list[str]:
    return [s.key for s in found]


# ------------------------------------------------------------------ lexical matching


def test_fold_ignores_case_and_umlauts() -> None:
    assert fold("Verschlüsselung") == fold("VERSCHLUESSELUNG") == "verschluesselung"
    assert fold("Straße") == "strasse"


def test_label_found_inside_inflected_german_compound() -> None:
    index = LabelIndex([[("Verschlüsselungstrojaner", 0.9)], [("Roboter", 0.9)]])
    hits = index.find("Angriffe mit Verschlüsselungstrojanern und neue Industrieroboter")
    assert {(h.concept, h.surface) for h in hits} == {
        (0, "Verschlüsselungstrojanern"),
        (1, "Industrieroboter"),
    }


def test_a_short_label_word_heads_a_compound_only_as_it_is_written() -> None:
    """A 4-5 letter stem is the head of a compound only where the word starts with its label word:
    "Dateien" (files) and "Medizintechnik" are not "Daten" (data) and "Medien" (media)."""
    index = LabelIndex([[("Daten", 0.9)], [("Medien", 0.9)]])
    assert index.find("Ransomware hat alle Dateien verschlüsselt, auch die Medizintechnik steht") == []
    assert {(h.concept, h.surface) for h in index.find("Datenschutzfragen und Medienarbeit")} == {
        (0, "Datenschutzfragen"), (1, "Medienarbeit"),
    }


def test_short_labels_match_whole_words_only() -> None:
    index = LabelIndex([[("KI", 0.9)], [("IoT", 0.9)]])
    assert index.find("Wir fahren Ski in Kiel") == []
    assert [h.surface for h in index.find("KI und IoT im Betrieb")] == ["KI", "IoT"]


def test_multiword_label_matches_inflected_words_close_together() -> None:
    index = LabelIndex([[("vernetzte Produktion", 0.9)]])
    assert index.find("Wir wollen die Produktion vernetzen")[0].surface == "Produktion vernetzen"
    assert index.find("Produktion " + "und so weiter " * 5 + "vernetzen") == []


# ------------------------------------------------------------------ suggester


def test_german_need_finds_english_labelled_topic_with_evidence(suggester: TopicSuggester) -> None:
    found = suggester.suggest("Nach einem Verschlüsselungstrojaner brauchen wir IT-Sicherheit", k=3)
    assert found[0].key == "cybersecurity"
    assert found[0].label_en == "Cybersecurity" and found[0].label_de == "Cybersicherheit"
    assert set(found[0].evidence) == {"Verschlüsselungstrojaner", "IT-Sicherheit"}


def test_umlaut_free_spelling_still_matches(suggester: TopicSuggester) -> None:
    assert suggester.suggest("Verschluesselungstrojaner im Netz", k=1)[0].key == "cybersecurity"


def test_english_need_matches_alt_label(suggester: TopicSuggester) -> None:
    found = suggester.suggest("we were hit by ransomware", k=2)
    assert found[0].key == "cybersecurity" and found[0].evidence == ("ransomware",)


def test_group_label_lifts_its_narrower_topics(suggester: TopicSuggester) -> None:
    found = suggester.suggest("Wir wollen unsere Produktion vernetzen", k=3)
    assert {"internet-of-things", "sensors"} <= set(_keys(found))
    assert "connectivity-iot" not in _keys(found)  # groups are not suggested by default


def test_groups_can_be_suggested_when_asked() -> None:
    s = TopicSuggester(encoder=HashingEncoder(), include_groups=True)
    s.fit(Catalogue(centres=(), concepts=CONCEPTS))
    assert s.suggest("vernetzte Produktion", k=1)[0].key == "connectivity-iot"


def test_other_scheme(suggester: TopicSuggester) -> None:
    s = TopicSuggester(encoder=HashingEncoder(), scheme="service").fit(Catalogue(centres=(), concepts=CONCEPTS))
    found = s.suggest("Weiterbildung für unsere Mitarbeiter", k=5)
    assert _keys(found) == ["training"] and found[0].evidence == ("Weiterbildung",)


def test_k_caps_results_and_scores_are_sorted(suggester: TopicSuggester) -> None:
    found = suggester.suggest("Cloud und Roboter", k=3)
    assert len(found) == 3
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    assert set(_keys(found)[:2]) == {"cloud-services", "robotics"}


def test_suggest_many_equals_suggest(suggester: TopicSuggester) -> None:
    texts = ["IT-Sicherheit", "Industrieroboter"]
    assert suggester.suggest_many(texts, k=2) == [suggester.suggest(t, k=2) for t in texts]


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_text_is_refused(suggester: TopicSuggester, text: str) -> None:
    with pytest.raises(InvalidInput, match="empty"):
        suggester.suggest(text)


def test_huge_text_is_refused_with_the_limit(suggester: TopicSuggester) -> None:
    with pytest.raises(InvalidInput, match="100,000 characters; the limit is 10,000"):
        suggester.suggest("x" * 100_000)


@pytest.mark.parametrize("k", [0, -1, 1001, 2.5, True])
def test_bad_k_is_refused(suggester: TopicSuggester, k) -> None:
    with pytest.raises(InvalidInput, match="k must be an integer from 1 to 1000"):
        suggester.suggest("Cloud", k=k)


def test_unfitted_suggester_says_so() -> None:
    with pytest.raises(NotFitted, match="fit"):
        TopicSuggester(encoder=HashingEncoder()).suggest("Cloud")


def test_unknown_scheme_is_named() -> None:
    with pytest.raises(InvalidInput, match="'colours'"):
        TopicSuggester(encoder=HashingEncoder(), scheme="colours").fit(Catalogue(centres=()))


def test_estimator_contract() -> None:
    from sklearn.base import clone

    s = TopicSuggester(encoder="hashing", lexical_weight=0.7)
    assert s.get_params()["lexical_weight"] == 0.7
    c = clone(s)
    assert c.get_params() == s.get_params() and not hasattr(c, "vectors_")


# ------------------------------------------------------------------ the real model and schemes


@pytest.fixture(scope="session")
def model_encoder():
    from matching.encoder import make_encoder

    return make_encoder("use-multilingual")


@pytest.fixture(scope="session")
def real_suggester(default_store, model_encoder) -> TopicSuggester:
    from graph import views

    catalogue = Catalogue(centres=(), concepts=tuple(views.concepts(default_store)))
    return TopicSuggester(encoder=model_encoder, classifier_weight=NEED_CLASSIFIER_WEIGHT).fit(catalogue)


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Wir wollen unsere Produktion mit Sensoren vernetzen", "sensors-vision-processing-systems"),
        ("Wir hatten einen Verschlüsselungstrojaner und brauchen IT-Sicherheit", "cybersecurity"),
        ("We want to use machine learning to forecast demand", "artificial-intelligence-decision-support"),
        ("Unsere Lagerhaltung und Lieferketten sollen digital werden", "logistics"),
        ("Wir möchten einen digitalen Zwilling unserer Fertigungslinie", "digital-twins"),
        ("3D-Druck von Ersatzteilen", "additive-manufacturing"),
        ("Our shop floor needs collaborative robots for palletising", "robotics"),
    ],
)
def test_real_model_ranks_the_topic_top3(real_suggester: TopicSuggester, text: str, key: str) -> None:
    assert key in _keys(real_suggester.suggest(text, k=3))


def test_label_inside_a_longer_label_of_the_same_word_is_not_a_hit() -> None:
    # "Datenbrillen" (smart glasses) used to yield the topic "Daten" (data) as well.
    index = LabelIndex([[("Daten", 1.0)], [("Datenbrille", 0.9)], [("Datenanalyse", 0.9)]])
    assert [(h.concept, h.surface) for h in index.find("Wir wollen Datenbrillen in der Montage")] == [
        (1, "Datenbrillen")
    ]
    assert {h.concept for h in index.find("Daten sammeln und eine Datenanalyse")} == {0, 2}
    assert {h.concept for h in index.find("Kundendatenbank")} == set()  # no label word in it


def test_suggestion_without_label_or_confident_definition_link_is_marked_weak(suggester: TopicSuggester) -> None:
    vague = suggester.suggest("qqq zzz xxy", k=3)
    assert vague and all(s.weak and not s.evidence for s in vague)
    named = suggester.suggest("Wir brauchen IT-Sicherheit", k=3)
    assert named[0].key == "cybersecurity" and not named[0].weak and named[0].evidence == ("IT-Sicherheit",)
    assert all(s.weak for s in named[1:] if not s.evidence)


@pytest.fixture(scope="session")
def need_suggester(default_store, model_encoder) -> TopicSuggester:
    """How needs are read: no catalogue prior and no hub topic model, only the need's own words."""
    from graph import views

    catalogue = Catalogue(centres=(), concepts=tuple(views.concepts(default_store)))
    return TopicSuggester(encoder=model_encoder, prior_weight=0.0, model_weight=0.0,
                          classifier_weight=NEED_CLASSIFIER_WEIGHT).fit(catalogue)


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "key"),
    [
        # the English needs that share no word with a label (seen while writing the
        # definitions); the German one needs a multilingual encoder (all-MiniLM-L6-v2 reads no German)
        ("a delivery app that tells drivers where the nearest free loading bay is", "location-based-applications"),
        ("customers give up halfway through our online booking form", "human-computer-interaction"),
        ("move our invoicing to a hosted service and keep it safe from hackers", "cloud-services"),
    ],
)
def test_real_model_finds_paraphrased_topic_through_its_definition(
    need_suggester: TopicSuggester, text: str, key: str
) -> None:
    found = need_suggester.suggest(text, k=3)
    assert key in _keys(found)
    assert "artificial-intelligence-decision-support" not in _keys(found)  # no fallback to the frequent topics


@pytest.mark.model
def test_real_model_says_what_definition_a_paraphrase_resembles(need_suggester: TopicSuggester) -> None:
    found = need_suggester.suggest("customers give up halfway through our online booking form", k=3)
    assert "human-computer-interaction" in [s.key for s in found]  # no label word of it in the need
    linked = [s for s in found if not s.weak]
    assert len(linked) == 1 and linked[0].resembles and not linked[0].evidence  # read from a definition, not a label
    assert all(s.resembles == "" for s in found if s.weak)
