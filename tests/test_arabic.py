"""Arabic text (issue 18): normalisation (analysis.arabic), tokenization of Arabic documents
(analysis.tokenization), the Arabic sentence rule (analysis.punkt) and clitic-aware dictionary matching
(analysis.matcher). Every Arabic word here is a hand-made fixture; expected values are written out by hand."""

import pandas as pd
import pytest
from helpers import lexicon_file
from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize.punkt import PunktSentenceTokenizer

from analysis.annotate import documents
from analysis.arabic import CLITIC_PREFIXES, normalize
from analysis.matcher import TokenIndex, match_frames
from analysis.punkt import arabic_sentence_spans
from analysis.tokenization import multiword_tuples, stopword_set, token_table, word_spans

FATHA, DAMMA, KASRA, SUKUN, SHADDA, TANWEEN = "\u064e", "\u064f", "\u0650", "\u0652", "\u0651", "\u064b"
TATWEEL, DAGGER_ALEF = "\u0640", "\u0670"

SYRIA_AR = """\
    name: syria_ar_test
    version: "0.1"
    language: ar
    description: Hand-made Arabic test dictionary.
    frames:
      civil_war:
        label: Civil war
        description: test
        terms: [الحرب الأهلية, سوريا]
      terrorism:
        label: Terrorism
        description: test
        terms: [الإرهاب, إرهابي*]
      revolution:
        label: Revolution
        description: test
        terms: [ثورة]
      actors:
        label: Actors
        description: test
        terms: [بشار الأسد, مستشفى]
"""


@pytest.fixture
def ar_lexicon(tmp_path):
    return lexicon_file(tmp_path, "syria_ar.yaml", SYRIA_AR)


def ar_docs(*texts, language="ar"):
    return pd.DataFrame({"thread_id": "t", "comment_id": [f"c{i}" for i in range(len(texts))], "doc": "comment",
                         "text": list(texts), "language": language})


def run(lexicon, *texts, language="ar"):
    d = ar_docs(*texts, language=language)
    tokens = token_table(d, punkt=PunktSentenceTokenizer(), mwes=multiword_tuples(lexicon.terms()))
    texts_map = {("t", c, "comment"): x for c, x in zip(d["comment_id"], d["text"])}
    m = match_frames(TokenIndex(tokens), lexicon, texts=texts_map, language="ar")
    for row in m.itertuples():  # offsets always point into the original text, prefix included
        assert texts_map[(row.thread_id, row.comment_id, row.doc)][row.start:row.end] == row.match
    return tokens, m


def found(m):
    return sorted(zip(m["frame"], m["match"], m["clitic"]))


# --------------------------------------------------------------------------
# normalisation


@pytest.mark.parametrize("written,normal", [
    ("الْحَرْبُ", "الحرب"),  # sukun, fatha, damma
    ("مُحَمَّدٌ", "محمد"),  # shadda, tanween
    ("الحـــرب", "الحرب"),  # tatweel
    ("هٰذا", "هذا"),  # superscript (dagger) alef
    ("أحمد", "احمد"), ("إسلام", "اسلام"), ("آخر", "اخر"), ("ٱلله", "الله"),  # alef variants
    ("مستشفى", "مستشفي"),  # alef maqsura
    ("ثورة", "ثوره"), ("ثوره", "ثوره"),  # ta marbuta and its spelling with ha
    ("ﻻ", "لا"), ("ﺍﻟﺤﺮﺏ", "الحرب"),  # presentation forms
    ("مؤتمر", "مؤتمر"), ("سائق", "سائق"),  # hamza on waw and yeh kept
    ("Syria war", "Syria war"),  # other scripts untouched
])
def test_normalize(written, normal):
    assert normalize(written) == normal


def test_normalize_removes_each_mark_by_code_point():
    base = "كتب"
    for mark in (FATHA, DAMMA, KASRA, SUKUN, SHADDA, TANWEEN, "\u064c", "\u064d", TATWEEL, DAGGER_ALEF):
        assert normalize(base[0] + mark + base[1:]) == base


# --------------------------------------------------------------------------
# tokenization


def test_arabic_words_stay_whole_with_marks_tatweel_and_punctuation():
    text = f"الْحَرْبُ الأهلية، في سوريا؟ هٰذا الحـ{TATWEEL}ـرب؛ عام ١٩٩٠!"
    tokens = [text[s:e] for s, e in word_spans(text)]
    assert tokens == ["الْحَرْبُ", "الأهلية", "،", "في", "سوريا", "؟", "هٰذا", f"الحـ{TATWEEL}ـرب", "؛", "عام", "١٩٩٠", "!"]


def test_token_table_normalises_norm_of_arabic_documents_only():
    text = "والحَرْبُ الأهليّة في سوريا"
    tokens = token_table(ar_docs(text, text, language=["ar", "en"]), punkt=PunktSentenceTokenizer()).to_pandas()
    ar, en = tokens[tokens["comment_id"] == "c0"], tokens[tokens["comment_id"] == "c1"]
    assert list(ar["token"]) == list(en["token"]) == ["والحَرْبُ", "الأهليّة", "في", "سوريا"]
    assert list(ar["norm"]) == ["والحرب", "الاهليه", "في", "سوريا"]
    assert list(en["norm"]) == ["والحَرْبُ", "الأهليّة", "في", "سوريا"]  # English documents: today's norm
    for t in tokens.itertuples():
        assert text[t.start:t.end] == t.token
    assert list(ar["start"]) == [0, 10, 19, 22]


def test_no_language_column_is_english_and_unchanged():
    texts = ["The civil war. It is not over!", "والحرب الأهلية؟ نعم"]
    d = ar_docs(*texts)
    mwes = [("civil", "war")]
    plain = token_table(d.drop(columns="language"), punkt=PunktSentenceTokenizer(), mwes=mwes, stem=True,
                        stopwords=stopword_set("english"))
    english = token_table(d.assign(language="en"), punkt=PunktSentenceTokenizer(), mwes=mwes, stem=True,
                          stopwords=stopword_set("english"))
    assert plain.equals(english)
    assert plain.to_pandas()["norm"].tolist()[:3] == ["the", "civil war", "."]


def test_arabic_documents_are_never_joined_into_mwes():
    text = "الحرب الأهلية"
    tokens = token_table(ar_docs(text, text, language=["ar", "en"]), punkt=PunktSentenceTokenizer(),
                         mwes=[("الحرب", "الأهلية")]).to_pandas()
    assert list(tokens.loc[tokens["comment_id"] == "c0", "token"]) == ["الحرب", "الأهلية"]
    assert list(tokens.loc[tokens["comment_id"] == "c1", "token"]) == ["الحرب الأهلية"]


def test_stopwords_per_document_language():
    texts = ["ذهب الى السوق في المساء", "the war in the city", "the war الى"]
    tokens = token_table(ar_docs(*texts, language=["ar", "en", "en"]), punkt=PunktSentenceTokenizer(),
                         stopwords=stopword_set("auto")).to_pandas()
    stop = {(c, t) for c, t, s in zip(tokens["comment_id"], tokens["token"], tokens["is_stopword"]) if s}
    # إلى is listed with hamza; the comment's الى (normalised the same) is flagged in the Arabic document only
    assert stop == {("c0", "الى"), ("c0", "في"), ("c1", "the"), ("c1", "in"), ("c2", "the")}
    # "english" keeps today's meaning: the English list for every document
    english = token_table(ar_docs(*texts, language=["ar", "en", "en"]), punkt=PunktSentenceTokenizer(),
                          stopwords=stopword_set("english")).to_pandas()
    assert not english.loc[english["comment_id"] == "c0", "is_stopword"].any()


def test_arabic_stems_are_snowball_arabic_of_the_norm():
    tokens = token_table(ar_docs("المدارس والكتاب"), punkt=PunktSentenceTokenizer(), stem=True).to_pandas()
    stem = SnowballStemmer("arabic").stem
    assert list(tokens["stem"]) == [stem("المدارس"), stem("والكتاب")]
    assert tokens["stem"].tolist() != tokens["norm"].tolist()


# --------------------------------------------------------------------------
# sentences


def test_arabic_sentence_rule():
    text = "ماذا حدث؟ لا أعرف. قال د. علي إن الحرب «انتهت.» نعم، لا؛ ربما\nسطر آخر!"
    got = [text[a:b] for a, b in arabic_sentence_spans(text)]
    assert got == ["ماذا حدث؟", "لا أعرف.", "قال د. علي إن الحرب «انتهت.»", "نعم، لا؛ ربما", "سطر آخر!"]


def test_token_table_numbers_arabic_sentences_by_the_rule():
    text = "ماذا حدث؟ لا أعرف"
    tokens = token_table(ar_docs(text), punkt=PunktSentenceTokenizer()).to_pandas()
    assert list(zip(tokens["token"], tokens["sentence"])) == [("ماذا", 0), ("حدث", 0), ("؟", 0), ("لا", 1),
                                                              ("أعرف", 1)]


# --------------------------------------------------------------------------
# matching


#: Every clitic prefix combination, written out by hand: conjunction (و ف), preposition (ب ك ل), article (ال),
#: each optional, in that order, ل + ال written لل.
PREFIXES = ["و", "ف", "ب", "ك", "ل", "ال", "وال", "فال", "بال", "كال", "لل", "وب", "فب", "وك", "فك", "ول", "فل",
            "وبال", "فبال", "وكال", "فكال", "ولل", "فلل"]


def test_the_prefix_list_is_every_combination():
    assert sorted(CLITIC_PREFIXES) == sorted(PREFIXES)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_clitic_prefix_matches_a_one_word_term(ar_lexicon, prefix):
    _, m = run(ar_lexicon, f"هذه {prefix}ثورة")
    assert found(m) == [("revolution", f"{prefix}ثورة", prefix)]


@pytest.mark.parametrize("written,clitic", [
    ("والحرب الأهلية", "و"), ("بالحرب الأهلية", "ب"), ("فالحرب الأهلية", "ف"), ("كالحرب الأهلية", "ك"),
    ("للحرب الأهلية", "ل"), ("وللحرب الأهلية", "ول"), ("وبالحرب الأهلية", "وب"), ("الحرب الأهلية", ""),
    ("الحَرْبُ الأَهْلِيَّة", ""), ("الحـــرب الاهليه", ""),
])
def test_multi_word_term_with_prefix_marks_and_spellings(ar_lexicon, written, clitic):
    _, m = run(ar_lexicon, f"عن {written} في")
    assert found(m) == [("civil_war", written, clitic)]


def test_prefixed_country_name_and_wildcard(ar_lexicon):
    _, m = run(ar_lexicon, "وسوريا بلد. للإرهابيين والإرهابي")
    # إرهابي* is indefinite: the article is part of what was stripped
    assert found(m) == [("civil_war", "وسوريا", "و"), ("terrorism", "للإرهابيين", "لل"),
                        ("terrorism", "والإرهابي", "وال")]


@pytest.mark.parametrize("written", ["ثوره", "الثوره", "ثورة", "وثوره"])
def test_ta_marbuta_spelt_with_ha(ar_lexicon, written):
    _, m = run(ar_lexicon, written)
    assert list(m["frame"]) == ["revolution"]


@pytest.mark.parametrize("written", ["الإرهاب", "الارهاب", "الأرهاب", "الآرهاب", "ٱلإرهاب", "الإرْهَاب"])
def test_hamza_variants_of_the_alef(ar_lexicon, written):
    _, m = run(ar_lexicon, written)
    assert found(m) == [("terrorism", written, "")]


def test_alef_maqsura_spelt_with_ya(ar_lexicon):
    _, m = run(ar_lexicon, "في المستشفي والمستشفى")
    assert sorted(m["match"]) == ["المستشفي", "والمستشفى"]


def test_bashar_is_never_cut(ar_lexicon, tmp_path):
    # no term word is what remains after a prefix: nothing matches
    _, m = run(ar_lexicon, "بشار قال وبشار")
    assert m.empty
    # with both بشار and شار in a dictionary, بشار is بشار: the whole token is a word of the dictionary
    both = lexicon_file(tmp_path, "both.yaml", """\
        name: both
        version: "1"
        language: ar
        description: test
        frames:
          name: {label: n, description: d, terms: [بشار]}
          other: {label: o, description: d, terms: [شار]}
        """)
    _, m = run(both, "بشار و شار")
    assert found(m) == [("name", "بشار", ""), ("other", "شار", "")]


def test_the_multi_word_name_with_prefix(ar_lexicon):
    _, m = run(ar_lexicon, "وبشار الأسد قال")
    assert found(m) == [("actors", "وبشار الأسد", "و")]


def test_false_friend_monk_is_not_terrorism(ar_lexicon):
    # a root stemmer gives الإرهاب and راهب the same root ر-ه-ب; matching never uses roots or stems
    _, m = run(ar_lexicon, "راهب والراهب الرهبان ترهيب")
    assert m.empty
    tokens, _ = run(ar_lexicon, "الإرهاب")
    assert tokens.num_rows == 1


def test_prefixes_only_for_arabic_dictionaries(tmp_path):
    # the same Arabic term in a dictionary of another language: matched as written, no prefix, no normalisation
    en = lexicon_file(tmp_path, "en.yaml", """\
        name: en
        version: "1"
        language: en
        description: test
        frames:
          place: {label: p, description: d, terms: [سوريا, ثورة]}
        """)
    text = "سوريا وسوريا ثوره"
    tokens = token_table(ar_docs(text, language="en"), punkt=PunktSentenceTokenizer())
    m = match_frames(TokenIndex(tokens), en, texts={("t", "c0", "comment"): text})
    assert found(m) == [("place", "سوريا", "")]
    ar = match_frames(TokenIndex(tokens), en, texts={("t", "c0", "comment"): text}, language="ar")
    assert found(ar) == [("place", "ثوره", ""), ("place", "سوريا", ""), ("place", "وسوريا", "و")]


def test_arabic_lexicon_on_a_table_without_language_column(ar_lexicon):
    # tables built without a language column: the norms are not normalised, the matcher normalises them
    d = ar_docs("والحَرْبُ الأهليّة").drop(columns="language")
    tokens = token_table(d, punkt=PunktSentenceTokenizer())
    m = match_frames(TokenIndex(tokens), ar_lexicon, texts={("t", "c0", "comment"): d["text"][0]}, language="ar")
    assert found(m) == [("civil_war", "والحَرْبُ الأهليّة", "و")]


# --------------------------------------------------------------------------
# documents()


def test_documents_pass_language_through():
    comments = pd.DataFrame({"thread_id": ["t"], "comment_id": ["c"], "text": ["نص"], "language": ["ar"]})
    threads = pd.DataFrame({"thread_id": ["t"], "article_text": ["Body"], "article_language": ["en"]})
    d = documents(comments, threads)
    assert list(zip(d["doc"], d["language"])) == [("article", "en"), ("comment", "ar")]
    plain = documents(comments.drop(columns="language"), threads.drop(columns="article_language"))
    assert "language" not in plain.columns
    half = documents(comments, threads.drop(columns="article_language"))
    assert list(half["language"]) == ["und", "ar"]


# --------------------------------------------------------------------------
# the real Arabic comments (../shared/data/arabic-comments), read at run time


REAL = __import__("pathlib").Path(__file__).resolve().parents[2] / "shared" / "data" / "arabic-comments"


@pytest.fixture(scope="module")
def real_texts():
    if not (REAL / "mpold.csv").is_file():
        pytest.skip(f"{REAL} is absent (real Arabic comments)")
    return [t for t in pd.read_csv(REAL / "mpold.csv", dtype=str, keep_default_na=False)["text"] if t.strip()]


def test_real_comments_offsets_and_norms(real_texts):
    tokens = token_table(ar_docs(*real_texts), punkt=PunktSentenceTokenizer()).to_pandas()
    texts = dict(zip([f"c{i}" for i in range(len(real_texts))], real_texts))
    assert all(texts[c][s:e] == t for c, s, e, t in zip(tokens["comment_id"], tokens["start"], tokens["end"],
                                                        tokens["token"]))
    # the norm is the case-folded token in normalised spelling: no mark, tatweel or variant letter is left
    left = set("".join(tokens["norm"])) & (set(map(chr, range(0x064B, 0x0653))) | set("\u0640\u0670أإآٱىة"))
    assert not left
    assert (tokens["norm"] == [normalize(t.casefold()) for t in tokens["token"]]).all()


def test_real_comments_one_word_matches_equal_an_oracle(real_texts, tmp_path):
    words = ["سوريا", "الله", "العرب", "مصر", "الإسلام", "ثورة", "شعب"]
    lx = lexicon_file(tmp_path, "w.yaml", "name: w\nversion: '1'\nlanguage: ar\ndescription: d\nframes:\n"
                      + "".join(f"  f{i}: {{label: l, description: d, terms: [{w}]}}\n" for i, w in enumerate(words)))
    tokens, m = run(lx, *real_texts[:1500])
    norms = [normalize(w) for w in words]

    def oracle_term(norm):  # a second method: try every hand-written prefix against every term word
        if norm in norms:
            return norms.index(norm)
        for i, w in enumerate(norms):
            forms = [p + w for p in PREFIXES]
            if w.startswith("ال"):
                forms += [c + "ل" + w[1:] for c in ("", "و", "ف")]
            if norm in forms:
                return i
        return None

    t = tokens.to_pandas()
    want = sorted((c, s, f"f{i}") for c, s, n in zip(t["comment_id"], t["start"], t["norm"])
                  if (i := oracle_term(n)) is not None)
    assert len(want) > 100
    assert sorted(zip(m["comment_id"], m["start"], m["frame"])) == want
