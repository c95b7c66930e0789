"""Tests of analysis.lexicons and of the shipped dictionaries in data/lexicons/."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from helpers import counted_false_positives, unjoined_multiword_terms

from analysis.errors import ConfigError
from analysis.lexicons import (
    TERM_COLUMNS,
    expand_wildcards,
    hidden_terms,
    load_lexicon,
    slug,
    term_words,
    unique_frames,
)
from analysis.tokenization import multiword_tuples

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
LEXICONS = ROOT / "data" / "lexicons"
SHIPPED = ["syria_frames", "syria_actors", "gun_control_frames", "syria_frames_ar"]


def rows(table: pd.DataFrame, frame: str) -> list[tuple]:
    t = table[table["frame"] == frame]
    return list(t[["term", "words", "wildcard", "case_sensitive", "exclude"]].itertuples(index=False, name=None))


# --------------------------------------------------------------------------
# term table


def test_term_table_rows_exactly():
    lx = load_lexicon(FIXTURES / "lexicon_small.yaml")
    table = lx.term_table()
    assert list(table.columns) == list(TERM_COLUMNS)
    assert table.dtypes.to_dict() == {
        "frame": object, "term": object, "words": object, "n_words": "int64",
        "wildcard": bool, "case_sensitive": bool, "exclude": bool,
    }
    # "fsa" is overridden by the case-sensitive "FSA": one row, matched only as written
    assert rows(table, "civil_war") == [
        ("civil war", ("civil", "war"), False, False, False),
        ("rebel*", ("rebel*",), True, False, False),
        ("u.s.-backed", ("u.s.", "-", "backed"), False, False, False),
        ("FSA", ("FSA",), False, True, False),
        ("rebel yell", ("rebel", "yell"), False, False, True),
        ("rebellious*", ("rebellious*",), True, False, True),
    ]
    # the repeated "terror*" gives one row; case-sensitive terms need not be under terms
    assert rows(table, "terrorism") == [
        ("al-qaeda", ("al-qaeda",), False, False, False),
        ("suicide bomber*", ("suicide", "bomber*"), True, False, False),
        ("terror*", ("terror*",), True, False, False),
        ("IS", ("IS",), False, True, False),
        ("Free Syrian Army", ("Free", "Syrian", "Army"), False, True, False),
    ]
    assert (table["n_words"] == table["words"].map(len)).all()


@pytest.mark.parametrize(
    "term, case_sensitive, words",
    [
        ("al-qaeda", False, ("al-qaeda",)),
        ("Al-Qaeda", False, ("al-qaeda",)),
        ("civil war", False, ("civil", "war")),
        ("suicide bomber*", False, ("suicide", "bomber*")),
        ("IS", True, ("IS",)),
        ("U.S.-backed", False, ("u.s.", "-", "backed")),
        ("shi'ite*", False, ("shi'ite*",)),
        ("assad’s regime", False, ("assad’s", "regime")),
        ("2nd amendment", False, ("2nd", "amendment")),
    ],
)
def test_term_words(term, case_sensitive, words):
    assert term_words(term, case_sensitive=case_sensitive) == words


@pytest.mark.parametrize("term", ["bomber *", "al-*", "a*b", "*", "   "])
def test_term_words_rejects_bad_wildcards(term):
    with pytest.raises(ValueError):
        term_words(term)


def test_terms_lists_exclusions_and_case_sensitive_entries():
    lx = load_lexicon(FIXTURES / "lexicon_small.yaml")
    terms = lx.terms()
    assert "rebel yell" in terms and "IS" in terms and "Free Syrian Army" in terms
    assert terms.count("terror*") == 2  # as in the file (the table has it once)
    # so tokenization joins the case-sensitive multi-word term too (case-folded, as all MWEs)
    assert ("free", "syrian", "army") in multiword_tuples(terms)


def write(tmp_path: Path, text: str, name: str = "lex.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_term_that_is_also_an_exclusion_is_an_error(tmp_path):
    path = write(tmp_path, """
        name: x
        version: 1
        frames:
          a: {label: A, terms: [rebel yell], exclude: [Rebel Yell]}
    """)
    with pytest.raises(ConfigError, match=r"lex\.yaml, frame 'a': 'Rebel Yell' is both a term and an exclusion"):
        load_lexicon(path)


def test_bad_wildcard_fails_at_load_with_file_and_frame():
    with pytest.raises(ConfigError, match=r"lexicon_bad_wildcard\.yaml, frame 'terrorism': term 'al-\*'"):
        load_lexicon(FIXTURES / "lexicon_bad_wildcard.yaml")


def test_check_terms_false_defers_the_term_check_to_the_term_table():
    # Workflow jobs load dictionaries the workflow checked at start-up, without
    # splitting every term again; the check still happens when terms are read.
    lx = load_lexicon(FIXTURES / "lexicon_bad_wildcard.yaml", check_terms=False)
    assert "terrorism" in lx.frames
    with pytest.raises(ConfigError, match=r"frame 'terrorism': term 'al-\*'"):
        lx.term_table()


def test_reading_dictionaries_and_measures_does_not_import_nltk():
    # NLTK's import takes about half a second (it imports scipy.stats); a job
    # that only reads frames, stamps or measures must not pay for it.
    code = ("import sys, analysis.lexicons, analysis.framing, analysis.frame_rates, analysis.frame_dynamics, "
            "analysis.keyness, analysis.polarization_report, analysis.validation.validation_report, analysis.book, "
            "analysis.plotting\n"
            "lx = analysis.lexicons.load_lexicon('data/lexicons/syria_frames.yaml', check_terms=False)\n"
            "analysis.lexicons.lexicon_stamp([lx])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'nltk'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_schema_errors_name_the_key(tmp_path):
    path = write(tmp_path, """
        name: x
        version: 1
        changelog: [{version: 1}]
        frames:
          a: {label: A, terms: [b]}
    """)
    with pytest.raises(ConfigError, match="changelog/0"):
        load_lexicon(path)


# --------------------------------------------------------------------------
# LIWC-style .dic


def test_dic_import():
    path = FIXTURES / "invented.dic"
    lx = load_lexicon(path)
    assert (lx.name, lx.version) == ("invented", "dic")
    assert lx.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert {f: (spec["label"], spec["terms"]) for f, spec in lx.frames.items()} == {
        "weather": ("Weather", ["sunny", "rain*", "snow"]),
        "feel": ("feel", ["sunny", "pie*"]),
        "hedges_vague": ("Hedges (vague)", ["kind of", "sort of"]),
        "food_drink": ("Food & drink", ["like", "pie*"]),
    }
    # line 11 is a conditional entry (skipped whole); line 12 keeps its plain category 10
    assert [n for n, _ in lx.skipped] == [11, 12]
    assert lx.skipped[0][1] == "(hedge) like\t3"
    table = lx.term_table()
    assert rows(table, "hedges_vague") == [
        ("kind of", ("kind", "of"), False, False, False),
        ("sort of", ("sort", "of"), False, False, False),
    ]
    assert ("kind", "of") in multiword_tuples(lx.terms())


DIC_HEAD = "%\n1\tweather\n2\tfood\n%\n"


@pytest.mark.parametrize(
    "text, message",
    [
        ("sunny\t1\n", "line 1: expected a header"),
        ("%\n1\tweather\n", "never closed"),
        ("%\n1\tweather\nsunny\t1\n", "line 3: expected 'number<TAB>category' in the header"),
        ("%\nweather\t1\n%\n", "line 2: expected 'number<TAB>category'"),
        ("%\n1\tweather\n1\tfood\n%\n", "line 3: category number 1 is defined twice"),
        ("%\n1\tFood!\n2\tfood\n%\n", "line 3: category 'food' gives the frame name 'food'"),
        ("%\n%\nsunny\t1\n", "lists no categories"),
        (DIC_HEAD + "sunny\t1\nrain\t3\n", "line 6: unknown category number 3"),
        (DIC_HEAD + "sunny\t1\tx\n", "line 5: category field 'x' of 'sunny' is not a number"),
        (DIC_HEAD + "sunny\n", "line 5: .*no category numbers"),
        (DIC_HEAD + "su*ny\t1\n", r"line 5: term 'su\*ny': '\*' is allowed only at the end"),
        (DIC_HEAD + "sunny\t1\n%\n", "line 6: a third '%' line"),
    ],
)
def test_dic_errors_name_file_and_line(tmp_path, text, message):
    path = tmp_path / "mine.dic"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"mine\.dic, " + message if "line" in message else message):
        load_lexicon(path)


def test_dic_is_utf8_with_or_without_bom(tmp_path):
    path = tmp_path / "My Words-2.DIC"
    path.write_bytes(b"\xef\xbb\xbf" + (DIC_HEAD + "caf\xc3\xa9\t2\n").encode("latin-1"))
    lx = load_lexicon(path)
    assert lx.name == "my_words_2" and lx.frames["food"]["terms"] == ["café"]
    path.write_bytes((DIC_HEAD + "caf\xe9\t2\n").encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_lexicon(path)


def test_slug():
    assert slug("Food & drink") == "food_drink"
    assert slug("  Hedges (vague) ") == "hedges_vague"
    assert slug("2nd person") == "c_2nd_person"
    assert slug("!!") == "c"


# --------------------------------------------------------------------------
# wildcards against a vocabulary; dictionaries used together


def test_expand_wildcards_marks_excluded_words():
    lx = load_lexicon(FIXTURES / "lexicon_small.yaml")
    vocab = {"rebel": 3, "rebels": 5, "rebellious": 1, "rebelliously": 1, "terror": 2, "bombers": 4, "civil": 9}
    ex = expand_wildcards(lx, vocab)
    assert list(ex.columns) == ["frame", "term", "exclude", "word", "count", "excluded"]
    got = [(r.term, r.word, r.count, r.excluded) for r in ex.itertuples() if not r.exclude]
    assert got == [
        ("rebel*", "rebels", 5, False),
        ("rebel*", "rebel", 3, False),
        ("rebel*", "rebellious", 1, True),
        ("rebel*", "rebelliously", 1, True),
        ("suicide bomber*", "bombers", 4, False),  # the last word only
        ("terror*", "terror", 2, False),
    ]
    assert expand_wildcards(lx, []).empty


def test_hidden_terms_finds_words_inside_another_dictionarys_expressions(tmp_path):
    a = load_lexicon(write(tmp_path, """
        name: a
        version: 1
        frames:
          dictatorship: {label: D, terms: [regime, rebel*, regime change]}
    """, "a.yaml"))
    b = load_lexicon(write(tmp_path, """
        name: b
        version: 1
        frames:
          naming: {label: N, terms: [assad regime, rebel groups, suicide bomber*], exclude: [regime change]}
    """, "b.yaml"))
    got = hidden_terms([a, b])
    assert list(zip(got["lexicon"], got["term"], got["hidden_by"])) == [
        ("a", "regime", "assad regime"),
        ("a", "rebel*", "rebel groups"),
    ]


# --------------------------------------------------------------------------
# the shipped dictionaries


@pytest.fixture(scope="module")
def shipped():
    return {name: load_lexicon(LEXICONS / f"{name}.yaml") for name in SHIPPED}


def test_shipped_dictionaries_load(shipped):
    assert shipped["syria_frames"].version == "1.1.0"
    assert list(shipped["syria_frames"].frames) == [
        "civil_war", "terrorism", "foreign_intervention", "sectarian", "humanitarian",
        "geopolitical_axis", "dictatorship", "sovereignty",
    ]
    assert shipped["gun_control_frames"].version == "1.1.0"
    assert list(shipped["gun_control_frames"].frames) == ["rights", "public_safety", "self_defense", "crime",
                                                          "government"]
    assert list(shipped["syria_actors"].frames) == [
        "government_as_regime", "government_as_state", "leader_as_dictator", "leader_as_president",
        "opposition_as_rebels", "opposition_as_opposition", "opposition_as_terrorists",
    ]
    names = [(f, lx.language) for lx in shipped.values() for f in lx.frames]
    assert len(names) == len(set(names))  # frame names are unique within a language
    assert list(shipped["syria_frames_ar"].frames) == list(shipped["syria_frames"].frames)  # one frame, two lists


@pytest.mark.parametrize("name", SHIPPED)
def test_no_term_is_in_two_frames(shipped, name):
    t = shipped[name].term_table()
    t = t[~t["exclude"]]
    key = t["words"].map(lambda w: tuple(x.casefold() for x in w))
    frames = t.groupby(key)["frame"].nunique()
    assert list(frames[frames > 1].index) == []


@pytest.mark.parametrize("name", SHIPPED)
def test_multiword_terms_become_one_token(shipped, name):
    """Each multi-word term without wildcard, written in a sentence, is joined into one token with its words."""
    assert unjoined_multiword_terms(shipped[name]) == {}


def test_syria_dictionaries_do_not_hide_each_others_terms(shipped):
    got = hidden_terms([shipped["syria_frames"], shipped["syria_actors"]])
    assert got.empty, got.to_dict("records")


# Known false positives of earlier versions: none of these words may be counted.
FALSE_POSITIVES = {
    "syria_frames": ["protestant", "protestants", "protestantism", "rebellious", "rebelliously", "infidelity",
                     "torturous", "sunnier", "sunniest", "kurdish", "righteous", "empire", "killed", "killing",
                     "constitution", "constitutional", "murdering", "islamophobic", "sanctioned"],
    "gun_control_frames": ["right", "righteous", "rightly", "rightful", "right-wing", "crimea", "crimean",
                           "tyrannosaurus", "killjoy", "defendant", "defendants", "victimless", "disarmingly",
                           "protectionism", "protectorate", "illegals", "ban", "banned", "banning", "regulation",
                           "registration", "band", "bang", "banks", "checkpoint"],
    # the Arabic list's false friends (data/lexicons/README.md): bull, the base / the rule, support, the given name
    # Jihad, the year, the city of Ta'if, monk (a root stemmer's false friend of terrorism), civil (state),
    # refusing, His Excellency, "and Abel" (a wildcard's match in the Arabic comments)
    "syria_frames_ar": ["ثور", "الثور", "القاعدة", "قاعدة", "النصرة", "نصرة", "جهاد", "السنة", "الطائف", "راهب",
                        "الراهب", "مدنية", "المدني", "رافض", "سيادته", "علو", "نظام", "وهابيل"],
}


@pytest.mark.parametrize("name", sorted(FALSE_POSITIVES))
def test_known_false_positives_are_not_counted(shipped, name):
    assert counted_false_positives(shipped[name], FALSE_POSITIVES[name]) == []


def test_case_sensitive_terms_of_the_syria_dictionary(shipped):
    t = shipped["syria_frames"].term_table()
    cs = t[t["case_sensitive"]]
    assert sorted(zip(cs["frame"], cs["term"])) == [
        ("civil_war", "FSA"), ("geopolitical_axis", "Resistance"), ("sovereignty", "SAA"),
        ("terrorism", "HTS"), ("terrorism", "IS"),
    ]
    # the lower-case spellings are not terms at all
    assert not t["words"].map(lambda w: w in {("is",), ("hts",), ("fsa",), ("saa",), ("resistance",)}).any()


@pytest.mark.parametrize("name", SHIPPED)
def test_every_entry_is_documented_in_the_readme(shipped, name):
    readme = (LEXICONS / "README.md").read_text(encoding="utf-8")
    lx = shipped[name]
    assert f"`{name}.yaml` | `{name}` | {lx.version} |" in readme
    missing = [t for t in lx.term_table()["term"] if f"`{t}`" not in readme]
    assert missing == []
    for frame in lx.frames:
        assert f"### `{frame}`" in readme
    n_terms = int((~lx.term_table()["exclude"]).sum())
    n_excl = int(lx.term_table()["exclude"].sum())
    assert f"| {n_terms} + {n_excl} |" in readme


def test_unique_frames_keeps_file_order_and_names_both_files_of_a_clash():
    assert unique_frames([("a.yaml", ["war", "peace"]), ("b.yaml", ["aid"])]) == ["war", "peace", "aid"]
    with pytest.raises(ValueError, match=r"frame 'war' is defined in both a\.yaml and b\.yaml"):
        unique_frames([("a.yaml", ["war"]), ("b.yaml", ["aid", "war"])])
