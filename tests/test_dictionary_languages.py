"""Dictionaries in several languages (issue 18): each dictionary matched on its own language's documents,
frames missing in a language reported as missing (NA, never 0), rates compared across languages.

The two-language corpus is hand-made (the Arabic words are dictionary words, no one's comment); every expected
count below is worked out by hand in the comments next to it, and the mixed corpus is checked against each
language run alone.
"""

import numpy as np
import pandas as pd
import pytest
from helpers import lexicon_file
from nltk.tokenize.punkt import PunktSentenceTokenizer

from analysis.annotate import annotate, documents
from analysis.errors import ConfigError
from analysis.frame_rates import (
    frame_rates,
    in_main_language,
    main_language,
    rates_and_indices,
    rates_by_language,
)
from analysis.framing import frames_of, score_frames
from analysis.lexicons import frame_coverage, frame_languages, unique_frames
from analysis.matcher import TokenIndex
from analysis.stats import bootstrap_weights, percentile_interval
from analysis.tokenization import multiword_tuples, token_table

PROVENANCE = """
provenance:
  written_by: a test
  source: written for this test
  reviewed_by: not yet reviewed by a native speaker
  date: "2026-12-07"
"""

EN = """
name: test_en
version: "1"
language: en
frames:
  civil_war: {label: Civil war, terms: [civil war, revolution]}
  terrorism: {label: Terrorism, terms: [terror*]}
  economy: {label: Economy, terms: [economy]}
""" + PROVENANCE

AR = """
name: test_ar
version: "1"
language: ar
frames:
  civil_war: {label: Civil war, terms: [الحرب الأهلية, ثورة]}
  terrorism: {label: Terrorism, terms: [إرهاب, الإرهاب]}
  sectarian: {label: Sectarian, terms: [طائفية]}
"""

# (thread, comment, language, text); word tokens after joining "civil war" (English documents only: Arabic ones are
# matched term by term, so no Arabic multi-word term occurs here, where tokens are counted):
COMMENTS = [
    ("t1", "c1", "en", "The civil war is a revolution."),  # The, civil war, is, a, revolution: 5; civil_war 2
    ("t1", "c2", "ar", "هذه ثورة وليست إرهاب"),  # 4 words; civil_war 1 (ثورة), terrorism 1 (إرهاب)
    # 8 words; terror* 1, revolution 1; the Arabic ثورة is not matched in an English comment
    ("t2", "c3", "en", "Terrorists, not a revolution; ثورة is the word"),
    ("t2", "c4", "ar", "ثورة طائفية economy"),  # 3 words; civil_war 1, sectarian 1; no English match
    ("t3", "c5", "en", "The economy and terror"),  # 4 words; economy 1, terror* 1
    ("t3", "c6", "und", "ثورة"),  # undetermined in a two-language study: no dictionary is matched on it
]
ARTICLE = ("t4", "en", "A revolution began")  # 3 words; civil_war 1


def tables(rows=COMMENTS, article=ARTICLE, *, language=True):
    comments = pd.DataFrame({
        "thread_id": [r[0] for r in rows], "comment_id": [r[1] for r in rows], "parent_id": "", "depth": 1,
        "position": range(1, len(rows) + 1), "author_id": [f"a{i}" for i in range(len(rows))],
        "created_at": pd.Timestamp("2020-01-01", tz="UTC"), "text": [r[3] for r in rows], "source": "s",
        "language": [r[2] for r in rows]})
    thread_ids = sorted({r[0] for r in rows})
    threads = pd.DataFrame({"thread_id": thread_ids, "source": "s", "article_text": "", "article_language": "und"})
    if article is not None:
        threads = pd.concat([threads, pd.DataFrame({"thread_id": [article[0]], "source": ["s"],
                                                    "article_text": [article[2]],
                                                    "article_language": [article[1]]})], ignore_index=True)
    if not language:
        comments = comments.drop(columns="language")
        threads = threads.drop(columns="article_language")
    return comments, threads


@pytest.fixture
def lexicons(tmp_path):
    return lexicon_file(tmp_path, "en.yaml", EN), lexicon_file(tmp_path, "ar.yaml", AR)


def frame_docs(comments, threads, lexicons, **kw):
    mwes = multiword_tuples(t for lx in lexicons for t in lx.terms())
    tokens = token_table(documents(comments, threads), punkt=PunktSentenceTokenizer(), mwes=mwes)
    matches, docs = score_frames(TokenIndex(tokens), comments, threads, lexicons, **kw)
    return matches, docs.set_index("comment_id")


# ---------------------------------------------------------------- dictionaries


def test_a_frame_may_be_defined_once_per_language(lexicons):
    en, ar = lexicons
    assert frames_of([en, ar]) == ["civil_war", "terrorism", "economy", "sectarian"]
    assert frame_languages([en, ar]) == {"civil_war": ["en", "ar"], "terrorism": ["en", "ar"], "economy": ["en"],
                                         "sectarian": ["ar"]}
    assert unique_frames([("a.yaml", ["war"], "en"), ("b.yaml", ["war"], "ar")]) == ["war"]
    with pytest.raises(ValueError, match=r"frame 'war' is defined in both a\.yaml and b\.yaml in language 'ar'"):
        unique_frames([("a.yaml", ["war"], "ar"), ("b.yaml", ["war"], "ar")])


def test_frames_missing_in_a_language_are_reported(lexicons):
    cover = frame_coverage(lexicons, languages=["en", "ar"]).set_index(["frame", "language"])
    assert cover["measured"].to_dict() == {
        ("civil_war", "en"): True, ("civil_war", "ar"): True, ("terrorism", "en"): True, ("terrorism", "ar"): True,
        ("economy", "en"): True, ("economy", "ar"): False, ("sectarian", "en"): False, ("sectarian", "ar"): True}
    assert cover.loc[("economy", "ar"), "note"].startswith("missing: no ar dictionary defines this frame")
    assert cover.loc[("civil_war", "ar"), "lexicon"] == "test_ar" and cover.loc[("civil_war", "ar"), "n_terms"] == 2
    # a study language without any dictionary misses every frame
    assert not frame_coverage(lexicons, languages=["fr"]).query("language == 'fr'")["measured"].any()


def test_provenance_is_read_and_bad_provenance_is_rejected(tmp_path, lexicons):
    en, ar = lexicons
    assert en.provenance["reviewed_by"] == "not yet reviewed by a native speaker" and ar.provenance is None
    assert (en.language, ar.language) == ("en", "ar")
    bad = {
        "missing reviewer": PROVENANCE.replace("  reviewed_by: not yet reviewed by a native speaker\n", ""),
        "date not a date": PROVENANCE.replace('"2026-12-07"', "last winter"),
        "unknown key": PROVENANCE + "  approved: yes\n",
        "empty author": PROVENANCE.replace("written_by: a test", 'written_by: ""'),
    }
    for i, prov in enumerate(bad.values()):
        with pytest.raises(ConfigError, match=r"at provenance"):
            lexicon_file(tmp_path, f"bad{i}.yaml", EN.replace(PROVENANCE, prov))
    with pytest.raises(ConfigError, match=r"at language"):
        lexicon_file(tmp_path, "badlang.yaml", EN.replace("language: en", "language: english"))


# ---------------------------------------------------------------- matching per language


def test_each_dictionary_counts_only_in_its_language_and_other_frames_are_na(lexicons):
    matches, docs = frame_docs(*tables(), lexicons, languages=["en", "ar"])
    hits = docs[[f"hits_{f}" for f in ("civil_war", "terrorism", "economy", "sectarian")]]
    na = pd.NA
    expected = {  # by hand, from the comments of COMMENTS
        "c1": [2, 0, 0, na], "c2": [1, 1, na, 0], "c3": [1, 1, 0, na], "c4": [1, 0, na, 1], "c5": [0, 1, 1, na],
        "c6": [na, na, na, na], "": [1, 0, 0, na]}
    for cid, row in expected.items():
        got = hits.loc[cid].tolist()
        assert [("NA" if pd.isna(g) else int(g)) for g in got] == [("NA" if v is na else v) for v in row], cid
    assert docs["n_tokens"].to_dict() == {"": 3, "c1": 5, "c2": 4, "c3": 8, "c4": 3, "c5": 4, "c6": 1}
    # no match of one language's dictionary in a document of another
    lang = docs["language"].to_dict()
    assert all(lang[c] == {"test_en": "en", "test_ar": "ar"}[lx] for c, lx in zip(matches["comment_id"],
                                                                                  matches["lexicon"]))
    assert docs.loc["", "language"] == "en"  # the article's language is the thread's article_language


def test_undetermined_documents_are_read_as_the_only_study_language(lexicons):
    en, _ar = lexicons
    _, docs = frame_docs(*tables([("t1", "c1", "und", "A revolution")], None), [en], languages=["en"])
    assert int(docs.loc["c1", "hits_civil_war"]) == 1
    _, docs = frame_docs(*tables([("t1", "c1", "und", "A revolution")], None), [en], languages=["en", "ar"])
    assert pd.isna(docs.loc["c1", "hits_civil_war"])


def test_mixed_corpus_equals_each_language_run_alone(lexicons):
    en, ar = lexicons
    _, mixed = frame_docs(*tables(), [en, ar], languages=["en", "ar"])
    for lx, lang in ((en, "en"), (ar, "ar")):
        rows = [r for r in COMMENTS if r[2] == lang]
        article = ARTICLE if ARTICLE[1] == lang else None
        _, alone = frame_docs(*tables(rows, article), [lx], languages=[lang])  # a corpus of that language only
        cols = ["n_tokens", *(f"hits_{f}" for f in lx.frames)]
        got = mixed.loc[alone.index, cols].astype("int64")
        pd.testing.assert_frame_equal(got, alone[cols].astype("int64"))


def test_without_a_language_column_nothing_changes(lexicons):
    en, _ = lexicons
    comments, threads = tables([r for r in COMMENTS if r[2] == "en"], ARTICLE, language=False)
    _, docs = frame_docs(comments, threads, [en])
    assert "language" not in docs.columns
    assert all(docs[f"hits_{f}"].dtype == "int64" for f in en.frames)


def test_annotate_matches_stance_and_incivility_in_their_language_only(tmp_path, lexicons):
    en, ar = lexicons
    stance = lexicon_file(tmp_path, "stance.yaml", """
        name: st
        version: "1"
        language: en
        stance: {target: the government, pro: pro, anti: anti}
        frames:
          pro: {label: Pro, terms: [revolution]}
          anti: {label: Anti, terms: [terror*]}
        """)
    incivility = lexicon_file(tmp_path, "inc.yaml", """
        name: inc
        version: "1"
        language: ar
        frames:
          incivility: {label: Incivility, terms: [ثورة]}
        """)
    comments, threads = tables()
    out = annotate(comments, threads, punkt=PunktSentenceTokenizer(), lexicons=[en, ar], stance_lexicon=stance,
                   incivility_lexicon=incivility, lowercase=True, stem=False, negation_window=3, count_quoted=False,
                   count_negated=True, flip_negated=False, languages=["en", "ar"])
    st = out.stance.set_index("comment_id")
    # English stance cues only in English documents: c3 has revolution (pro) and Terrorists (anti)
    assert st.loc["c3", ["n_pro", "n_anti"]].tolist() == [1, 1] and st.loc["c2", "label"] == "abstain"
    # the Arabic incivility term ثورة: counted in c2 and c4 (Arabic), not in c3 (English) nor c6 (undetermined)
    assert st["n_uncivil"].to_dict() == {"": 0, "c1": 0, "c2": 1, "c3": 0, "c4": 1, "c5": 0, "c6": 0}
    assert out.docs.set_index("comment_id")["hits_sectarian"].isna().sum() == 5  # c1, c3, c5, c6, article


# ---------------------------------------------------------------- rates


def docs_of(lexicons, rows=COMMENTS, article=ARTICLE, language=True, **kw):
    _, docs = frame_docs(*tables(rows, article, language=language), lexicons, **kw)
    return docs.reset_index()


def test_rates_by_language_by_hand_and_equal_to_each_language_alone(lexicons):
    en, ar = lexicons
    docs = docs_of([en, ar], languages=["en", "ar"])
    kw = dict(cluster="thread_id", min_clusters=2, n_boot=200, seed=3)
    table = rates_by_language(docs, [en, ar], languages=["en", "ar"], **kw).set_index(["frame", "language"])
    # civil_war: en 4 hits / 20 words (c1 2/5, c3 1/8, c5 0/4, article 1/3); ar 2 / 7 (c2 1/4, c4 1/3)
    assert table.loc[("civil_war", "en"), ["hits", "tokens", "n_docs"]].tolist() == [4, 20, 4]
    assert table.loc[("civil_war", "ar"), ["hits", "tokens", "n_docs"]].tolist() == [2, 7, 2]
    assert table.loc[("civil_war", "en"), "rate"] == pytest.approx(200.0)
    assert table.loc[("civil_war", "ar"), "rate"] == pytest.approx(2000 / 7)
    assert table.loc[("civil_war", "ar"), "difference"] == pytest.approx(2000 / 7 - 200)
    assert table.loc[("civil_war", "ar"), "reference"] == "en" and pd.isna(table.loc[("civil_war", "en"),
                                                                                      "difference"])
    # frames missing in a language: reported, no rate, no count (NA, never 0)
    for key in (("economy", "ar"), ("sectarian", "en")):
        assert table.loc[key, "status"].startswith("missing")
        assert pd.isna(table.loc[key, "rate"]) and pd.isna(table.loc[key, "hits"])
    assert table.loc[("sectarian", "ar"), "rate"] == pytest.approx(1000 / 7)
    # each language's rate and interval are those of that language run alone
    for lx, lang in ((en, "en"), (ar, "ar")):
        rows = [r for r in COMMENTS if r[2] == lang]
        alone = docs_of([lx], rows, ARTICLE if lang == "en" else None, languages=[lang]).assign(all="all")
        alone["doc_key"] = np.arange(len(alone))
        want = frame_rates(alone, frames=list(lx.frames), by="all", **kw).set_index("frame")
        for f in lx.frames:
            got = table.loc[(f, lang)]
            assert [got["rate"], got["ci_low"], got["ci_high"]] == pytest.approx(
                [want.loc[f, "rate"], want.loc[f, "ci_low"], want.loc[f, "ci_high"]], nan_ok=True)


def test_difference_interval_resamples_threads_of_both_languages_together(lexicons):
    en, ar = lexicons
    docs = docs_of([en, ar], languages=["en", "ar"])
    n_boot, seed = 300, 5
    row = rates_by_language(docs, [en, ar], languages=["en", "ar"], cluster="thread_id", min_clusters=2,
                            n_boot=n_boot, seed=seed).set_index(["frame", "language"]).loc[("civil_war", "ar")]
    # oracle: per-thread sums by hand (threads t1, t2, t3, t4 in sorted order), each replicate's rates from the
    # same multinomial thread weights the bootstrap draws, the difference ar - en per replicate
    en_hits, en_tok = np.array([2, 1, 0, 1]), np.array([5, 8, 4, 3])
    ar_hits, ar_tok = np.array([1, 1, 0, 0]), np.array([4, 3, 0, 0])
    w = bootstrap_weights(4, n_boot=n_boot, seed=seed)
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = 1000 * (w @ ar_hits / (w @ ar_tok) - w @ en_hits / (w @ en_tok))
    diff[~np.isfinite(diff)] = np.nan
    low, high = percentile_interval(diff)
    assert [row["diff_low"], row["diff_high"]] == pytest.approx([low, high])
    assert row["diff_unit"].startswith("threads (4 clusters)")


def test_main_tables_hold_one_language(lexicons):
    en, ar = lexicons
    assert main_language([en], languages=["ar", "en"]) is None
    assert main_language([en, ar], languages=["ar", "en"]) == "ar"
    assert main_language([en, ar], languages=[]) == "en"
    docs = docs_of([en, ar], languages=["en", "ar"])
    main = in_main_language(docs, "en", languages=["en", "ar"])
    assert sorted(main["comment_id"]) == ["", "c1", "c3", "c5"]
    rates, _ = rates_and_indices(main, frames=["civil_war", "economy"], period="year", group_by=[], index_pairs=[],
                                 min_clusters=2, n_boot=50, seed=0)
    r = rates[rates["by"] == "all"].set_index("frame")
    assert r.loc["civil_war", ["hits", "tokens"]].tolist() == [4, 20] and r.loc["economy", "rate"] == 50.0


def test_rates_leave_unmeasured_documents_out_of_the_denominator(lexicons):
    """A study of English and French with an English dictionary only: the French comment's words are in no
    rate's denominator. A one-language study reads every comment in its language (identification errs on short
    texts; the book's languages section counts the comments that look like another language)."""
    en, _ = lexicons
    rows = [("t1", "c1", "en", "A revolution"), ("t2", "c2", "fr", "Une revolution dans la rue")]
    docs = docs_of([en], rows, None, languages=["en", "fr"])
    assert pd.isna(docs.set_index("comment_id").loc["c2", "hits_civil_war"])
    rates, _ = rates_and_indices(docs, frames=["civil_war"], period="year", group_by=[], index_pairs=[],
                                 min_clusters=2, n_boot=20, seed=0)
    r = rates[rates["by"] == "all"].iloc[0]
    assert (r["hits"], r["tokens"], r["n_docs"], r["rate"]) == (1, 2, 1, 500.0)  # c1 alone: 1 hit in 2 words
    one = docs_of([en], rows, None, languages=["en"]).set_index("comment_id")
    assert one.loc["c2", "hits_civil_war"] == 1  # read as English: "revolution" is a term


# ---------------------------------------------------------------- the shipped Arabic Syria frames

LEXICONS = __import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "lexicons"


def test_arabic_syria_frames_have_provenance_and_each_term_counts_for_its_frame():
    from analysis.lexicons import load_lexicon

    ar = load_lexicon(LEXICONS / "syria_frames_ar.yaml")
    assert ar.language == "ar" and ar.provenance["reviewed_by"] == "not yet reviewed by a native speaker"
    table = ar.term_table()
    terms = table[~table["exclude"]]
    # each term written in a sentence of its own (a wildcard with the ending ين), matched as its own frame:
    # no term is hidden by a longer term of another frame
    rows = [("t", f"c{i}", "ar", f"قال إن {t[:-1] + 'ين' if t.endswith('*') else t} اليوم")
            for i, t in enumerate(terms["term"])]
    matches, _ = frame_docs(*tables(rows, None), [ar], languages=["ar"])
    got = matches[matches["counted"]].groupby("comment_id")["frame"].agg(lambda f: sorted(set(f)))
    want = {f"c{i}": [f] for i, f in enumerate(terms["frame"])}
    assert got.to_dict() == want
    # and behind a clitic prefix: و ("and") and بـ ("by, with") glued to the term's first word
    for prefix in ("و", "ب"):
        glued = [(t, c, lang, text.replace("قال إن ", f"قال إن {prefix}", 1)) for t, c, lang, text in rows]
        matches, _ = frame_docs(*tables(glued, None), [ar], languages=["ar"])
        got = matches[matches["counted"]].groupby("comment_id")["frame"].agg(lambda f: sorted(set(f)))
        assert got.to_dict() == want, prefix
        # what was stripped starts with the prefix (و before ال may be stripped with it: وال, where the rest is a
        # term word too)
        assert all(c.startswith(prefix) for c in matches.loc[matches["counted"], "clitic"])
    # exclusions count for no frame
    rows = [("t", "x", "ar", "الطابق العلوي و سيادة الرئيس و الثورة الإسلامية")]
    matches, docs = frame_docs(*tables(rows, None), [ar], languages=["ar"])
    assert matches.empty and docs.filter(like="hits_").sum(axis=1).iloc[0] == 0


# ---------------------------------------------------------------- the book


def test_book_language_tables_and_section_only_with_several_languages(lexicons):
    from analysis.book import framing_substitutions, language_tables, page_conditions
    from analysis.frame_rates import language_numbers

    en, ar = lexicons
    docs = docs_of([en, ar], languages=["en", "ar"])
    table = rates_by_language(docs, [en, ar], languages=["en", "ar"], min_clusters=2, n_boot=50, seed=0)
    html = language_tables(table)
    assert set(html) == {"frame_coverage", "by_language"}
    # coverage: economy has no Arabic list, sectarian no English one: "missing", never a zero rate
    assert html["frame_coverage"].count("missing (not measured)") == 2
    assert "measured (test_ar)" in html["frame_coverage"]
    numbers = language_numbers(table, main="en")
    assert numbers["missing"] == "Frames missing in a language: economy in ar; sectarian in en."
    assert numbers["compared"] == "2 frame(s) are measured in two or more languages: civil war, terrorism."
    page = (LEXICONS.parents[1] / "book" / "framing.md").read_text(encoding="utf-8")
    base = {"frames": {"civil_war": {}}, "not_available_text": ""}
    with_languages = page_conditions(page, {"framing": base | framing_substitutions({"languages": numbers})})
    assert "### Frames compared across languages" in with_languages and "_generated/tables/by_language.html" in (
        with_languages) and "those of the documents in *{{ framing.languages.main }}*" in with_languages
    # one language (the sample): no such section, no such table, and no language numbers are written
    one = rates_by_language(docs_of([en], [r for r in COMMENTS if r[2] == "en"], ARTICLE, language=False), [en],
                            n_boot=20)
    assert language_tables(one) == {} and set(one["language"]) == {"en"}
    without = page_conditions(page, {"framing": base})
    assert "across languages" not in without and "frame_coverage" not in without


# ---------------------------------------------------------------- keyness within each language

KEY_DOCS = [  # (thread, comment, language, side, text): two sides in each language
    ("t1", "k1", "en", "pro", "rebels rebels freedom"), ("t1", "k2", "en", "anti", "terrorists terrorists order"),
    ("t2", "k3", "en", "pro", "freedom rebels"), ("t2", "k4", "en", "anti", "order terrorists"),
    ("t3", "k5", "ar", "pro", "ثوار ثوار حرية"), ("t3", "k6", "ar", "anti", "إرهابيين إرهابيين نظام"),
    ("t4", "k7", "ar", "pro", "حرية ثوار"), ("t4", "k8", "ar", "anti", "نظام إرهابيين"),
    ("t5", "k9", "und", "pro", "rebels"),
]


def keyness_of(rows, *, language=True):
    import pyarrow as pa

    from analysis.keyness import keyness_by_grouping

    d = pd.DataFrame({"thread_id": [r[0] for r in rows], "comment_id": [r[1] for r in rows], "doc": "comment",
                      "text": [r[4] for r in rows]})
    tokens = token_table(d, punkt=PunktSentenceTokenizer())
    docs = d[["thread_id", "comment_id", "doc"]].assign(side=[r[3] for r in rows])
    if language:
        docs["language"] = [r[2] for r in rows]
    table = keyness_by_grouping([(pa.table(tokens.to_pandas()), docs)], groupings=["side"], min_count=1)
    return table


def test_keyness_is_computed_within_each_language_and_equals_each_language_alone():
    mixed = keyness_of(KEY_DOCS)
    assert set(mixed["language"]) == {"en", "ar"}
    en_terms = {"rebels", "freedom", "terrorists", "order"}
    for lang in ("en", "ar"):
        mine = mixed[mixed["language"] == lang].drop(columns="language").reset_index(drop=True)
        alone = keyness_of([r for r in KEY_DOCS if r[2] == lang], language=False)
        pd.testing.assert_frame_equal(mine, alone)
        # no word of the other language is in a language's table (and the undetermined k9 is in neither)
        assert (set(mine["term"]) <= en_terms) == (lang == "en")
    en = mixed[(mixed["language"] == "en") & (mixed["term"] == "rebels")].set_index("group")
    assert en.loc["pro", "count_a"] == 3  # k1 twice, k3 once; k9 (undetermined) not counted
    # one determined language: undetermined documents are read as it, and the table has no language column
    one = keyness_of([r for r in KEY_DOCS if r[2] in ("en", "und")])
    assert "language" not in one.columns
    plain = keyness_of([r for r in KEY_DOCS if r[2] in ("en", "und")], language=False)
    pd.testing.assert_frame_equal(one, plain)


def test_keyness_by_a_document_key_keeps_the_key_with_a_language_column():
    """Grouping by ``doc`` (article vs comments), itself a key of the documents: a language column must not
    rewrite it (the sample's keyness table was empty: no token found its document)."""
    import pyarrow as pa

    from analysis.keyness import keyness_by_grouping

    d = pd.DataFrame({"thread_id": ["t1", "t1", "t1", "t2", "t2", "t2"], "comment_id": ["", "c1", "c2", "", "c3", "c4"],
                      "doc": ["article", "comment", "comment"] * 2,
                      "text": ["war war rebels", "peace talks", "peace now", "war rebels", "talks peace", "now peace"]})
    tokens = pa.table(token_table(d, punkt=PunktSentenceTokenizer()).to_pandas())
    docs = d[["thread_id", "comment_id", "doc"]]
    plain = keyness_by_grouping([(tokens, docs)], groupings=["doc"], min_count=1)
    english = keyness_by_grouping([(tokens, docs.assign(language="en"))], groupings=["doc"], min_count=1)
    assert set(plain["group"]) == {"article", "comment"}
    pd.testing.assert_frame_equal(english, plain)


# ---------------------------------------------------------------- partisanship within each language

POLAR_OPTIONS = {"groups": "column", "group_column": "side", "unit": "auto", "min_known_share": 0.5,
                 "min_term_count": 1, "top_terms": 5, "n_boot": 20, "n_perm": 20, "seed": 1, "min_clusters": 2,
                 "er_alpha": 1.3, "er_bins": 10, "rwc_k": 2, "stance_mapping": {}}


def polar_run(speakers, *, language=True, study_languages=None):
    """speakers: (author, side, language, words); author j writes two comments saying its words 2j + 1 and 2j + 2
    times (no two posts alike: a repeated post would count once)."""
    import pyarrow as pa

    from analysis.polarization_report import polarization_report

    rows = [(a, s, lang, words, 2 * j + k) for j, (a, s, lang, words) in enumerate(speakers) for k in (1, 2)]
    c = pd.DataFrame({"thread_id": [f"t{a}" for a, *_ in rows], "comment_id": [f"{r[0]}-{r[4]}" for r in rows],
                      "parent_id": "", "author_id": [r[0] for r in rows], "side": [r[1] for r in rows]})
    if language:
        c["language"] = [r[2] for r in rows]
    tokens = pd.DataFrame([(f"t{a}", f"{a}-{k}", "comment", w, False) for a, s, lang, words, k in rows
                           for w in words * k], columns=["thread_id", "comment_id", "doc", "norm", "is_stopword"])
    docs = c[["thread_id", "comment_id"]].assign(doc="comment", n_tokens=2)
    stance = c[["thread_id", "comment_id"]].assign(doc="comment", n_pro=0, n_anti=0, score=np.nan,
                                                   label="abstain", n_uncivil=0)
    matches = pd.DataFrame({"thread_id": c["thread_id"], "comment_id": c["comment_id"], "doc": "comment",
                            "frame": "f", "term": "x", "counted": True})

    def batches(df):
        return pa.Table.from_pandas(df, preserve_index=False).to_batches(max_chunksize=50)

    return polarization_report(c, docs, stance, batches(tokens), batches(matches), **POLAR_OPTIONS, salt="s",
                               study_languages=study_languages)


# English: R says rebels war, D says war order (each speaker's leave-out posterior of its own group:
# 1/2 * 1 + 1/2 * 1/2 = 3/4);
# Arabic: R says ثوار only, D says نظام only (posterior 1)
EN_SPEAKERS = [("e1", "R", "en", ["rebels", "war"]), ("e2", "R", "en", ["rebels", "war"]),
               ("e3", "D", "en", ["war", "order"]), ("e4", "D", "en", ["war", "order"])]
AR_SPEAKERS = [("a1", "R", "ar", ["ثوار"]), ("a2", "R", "ar", ["ثوار"]), ("a3", "D", "ar", ["نظام"]),
               ("a4", "D", "ar", ["نظام"])]


def test_partisanship_is_measured_within_each_language_never_over_two():
    from analysis.polarization import POOLED

    rep = polar_run(EN_SPEAKERS + AR_SPEAKERS)
    part = rep.partisanship.set_index("stratum")
    assert part.loc["en", "estimate"] == pytest.approx(0.75, abs=1e-12)
    assert part.loc["ar", "estimate"] == pytest.approx(1.0, abs=1e-12)
    assert part.loc[POOLED, "estimate"] == pytest.approx(0.875, abs=1e-12)  # 4 speakers each: (4*.75 + 4*1) / 8
    assert "(whole corpus)" not in part.index and set(part["tokens"]) == {"all tokens"}  # no frame-term estimate
    assert any("several languages (ar, en)" in r for r in rep.summary["not_available"])
    assert "partisanship_all" not in rep.summary
    # each language's row is the estimate of that language run alone (whole corpus there)
    for speakers, lang in ((EN_SPEAKERS, "en"), (AR_SPEAKERS, "ar")):
        alone = polar_run(speakers, language=False).partisanship
        alone = alone[alone["tokens"] == "all tokens"].iloc[0]
        assert part.loc[lang, "estimate"] == pytest.approx(alone["estimate"], abs=1e-12)


def test_partisanship_of_one_language_with_undetermined_comments_is_unchanged():
    speakers = EN_SPEAKERS[:3] + [("e4", "D", "und", ["war", "order"])]
    with_column, without = polar_run(speakers), polar_run(speakers, language=False)
    pd.testing.assert_frame_equal(with_column.partisanship, without.partisanship)
    assert with_column.summary.keys() == without.summary.keys()
    assert with_column.summary["partisanship_all"] == without.summary["partisanship_all"]


def test_a_one_language_study_reads_a_comment_that_looks_foreign_in_its_language():
    """English study, one comment identified as French (short texts are misread): no language strata, the
    whole-corpus estimate and keyness's table as without a language column (the hostile test book lost its
    whole-corpus partisanship to such a comment)."""
    from analysis.keyness import keyness_by_grouping

    speakers = EN_SPEAKERS[:3] + [("e4", "D", "fr", ["war", "order"])]
    study = polar_run(speakers, study_languages=["en"])
    without = polar_run(speakers, language=False)
    pd.testing.assert_frame_equal(study.partisanship, without.partisanship)
    assert study.summary["partisanship_all"] == without.summary["partisanship_all"]
    rows = [r[:2] + ("fr" if r[1] == "k4" else "en",) + r[3:] for r in KEY_DOCS if r[2] == "en"]
    d = pd.DataFrame({"thread_id": [r[0] for r in rows], "comment_id": [r[1] for r in rows], "doc": "comment",
                      "text": [r[4] for r in rows]})
    import pyarrow as pa

    tokens = pa.table(token_table(d, punkt=PunktSentenceTokenizer()).to_pandas())
    docs = d[["thread_id", "comment_id", "doc"]].assign(side=[r[3] for r in rows])
    one = keyness_by_grouping([(tokens, docs.assign(language=[r[2] for r in rows]))], groupings=["side"],
                              min_count=1, languages=["en"])
    plain = keyness_by_grouping([(tokens, docs)], groupings=["side"], min_count=1)
    pd.testing.assert_frame_equal(one, plain)
