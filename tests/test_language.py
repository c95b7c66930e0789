"""Language identification (analysis.language) on short, long and mixed hand-made fixtures."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest

from analysis import language

# hand-made fixtures (written for these tests)
EN = "I think the war in Syria is a civil war, not a revolution."
AR = "الحرب الأهلية في سوريا مستمرة منذ سنوات"  # "the civil war in Syria has gone on for years"
AR_VOWELLED = "الْحَرْبُ الأَهْلِيَّةُ"  # "the civil war", with tashkeel
FR = "Je pense que cette guerre est une guerre civile et non une révolution."
DE = "Ich glaube, das ist ein Bürgerkrieg und keine Revolution."
MOROCCAN = "واش نتا مزيان بزاف"  # Moroccan Arabic: the model's own label is ary
EGYPTIAN_ISH = "شنو هاد الشي لي كتقول"  # Moroccan too ("what is this you are saying"): ary


def test_languages_of_whole_sentences():
    got = language.identify([EN, AR, FR, DE], languages=["en", "ar"])
    assert list(got) == ["en", "ar", "fr", "de"]


@pytest.mark.parametrize("text", ["", "   ", "1234 5678", "!!! ??? ...", "😀😀 👍", "Yes", "نعم", "Yes!!! 100%",
                                  AR_VOWELLED.split()[0], "https://x.org/a/b", "HTTP://X.ORG/A B", "@User.IDX thanks"])
def test_no_letters_or_one_word_is_undetermined(text):
    assert list(language.identify([text], languages=["en", "ar"])) == ["und"]


def test_vowelled_arabic_words_are_whole_words():
    # one vowelled word is one word (Python's re \\w would split it at each diacritic into several 'words')
    assert list(language.identify([AR_VOWELLED.split()[1]], languages=["ar"])) == ["und"]
    assert list(language.identify([AR_VOWELLED], languages=["ar"])) == ["ar"]


def test_arabic_dialect_labels_count_as_arabic():
    # the oracle: py3langid's own classifier, restricted to the same candidates, says ary for these
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    raw = LanguageIdentifier.from_model_file(MODEL_FILE)
    raw.set_languages(list(language.candidates(["ar"])))
    assert [raw.classify(t)[0] for t in (MOROCCAN, EGYPTIAN_ISH)] == ["ary", "ary"]
    assert list(language.identify([MOROCCAN, EGYPTIAN_ISH], languages=["ar"])) == ["ar", "ar"]
    assert {"arz", "ary"} <= set(language.candidates(["ar"]))
    assert "arz" not in language.candidates(["en"], bucket=["en", "fr"])


def _presentation_forms(text: str) -> str:
    """``text`` with each Arabic letter replaced by its isolated presentation form (built from the Unicode data)."""
    isolated = {}
    for cp in range(0xFE70, 0xFEFF):
        ch = chr(cp)
        if "ISOLATED FORM" in unicodedata.name(ch, ""):
            base = unicodedata.normalize("NFKC", ch)
            if len(base) == 1:
                isolated.setdefault(base, ch)
    out = "".join(isolated.get(c, c) for c in text)
    assert out != text
    return out


def test_arabic_in_presentation_forms_is_arabic():
    shaped = _presentation_forms(AR)
    assert list(language.identify([shaped], languages=["ar"])) == ["ar"]


def test_mixed_text_gets_the_language_with_most_text():
    mostly_en = f"{EN} The article calls it الحرب الأهلية but that is wrong, and most readers here agree with me."
    mostly_ar = f"{AR} {AR} OK"
    assert list(language.identify([mostly_en, mostly_ar], languages=["en", "ar"])) == ["en", "ar"]


def test_only_the_first_max_chars_are_read():
    text = EN + " " + " ".join([FR] * 20)
    assert len(EN) < 100 < len(text)
    assert list(language.identify([text], languages=["en"], max_chars=len(EN))) == ["en"]
    assert list(language.identify([text], languages=["en"], max_chars=None)) == ["fr"]


def test_candidates_outside_the_study_and_unknown_codes():
    assert list(language.identify([FR], languages=["en"], bucket=())) == ["en"]  # forced: fr is no candidate
    assert list(language.identify([FR], languages=["en"])) == ["fr"]  # the default bucket has it
    with pytest.raises(ValueError, match="xx"):
        language.identify([EN], languages=["xx"])


def test_equal_texts_missing_values_and_series():
    got = language.identify(pd.Series([EN, None, EN, AR]), languages=["en", "ar"])
    assert list(got) == ["en", "und", "en", "ar"]
    assert len(language.identify([], languages=["en"])) == 0


def test_shares_counted_by_hand():
    got = language.shares(pd.Series(["en", "ar", "en", "und", "fr", "en"]), languages=["en", "ar"])
    assert got["language"].tolist() == ["en", "ar", "fr", "und"]  # 3, then ties of 1 by code
    assert got["n"].tolist() == [3, 1, 1, 1]
    assert got["share"].tolist() == pytest.approx([0.5, 1 / 6, 1 / 6, 1 / 6])
    assert got["configured"].tolist() == [True, True, False, False]


def test_model_name_has_a_version():
    assert language.model_name().startswith("py3langid ")
