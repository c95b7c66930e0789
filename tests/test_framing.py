"""Counting rules of the frame matcher, each checked on sentences worked out by hand."""

import textwrap

import pandas as pd
import pytest
from nltk.tokenize.punkt import PunktSentenceTokenizer

from analysis.framing import doc_frame_counts, frames_of, match_frames, quoted_spans, score_frames
from analysis.lexicons import load_lexicon
from analysis.tokenization import multiword_tuples, tokenize_documents

LEXICON = """
name: test_frames
version: "1"
frames:
  civil_war:
    label: Civil war
    terms: [civil war, rebel*, uprising]
    exclude: [rebel yell]
  war:
    label: War
    terms: [war]
  terrorism:
    label: Terrorism
    terms: [terror*, suicide bomber*]
    case_sensitive: [IS]
  both:
    label: Shares a term with civil_war
    terms: [civil war]
"""


@pytest.fixture(scope="module")
def lexicon(tmp_path_factory):
    return lexicon_file(tmp_path_factory.mktemp("lex"), "test_frames.yaml", LEXICON)


def docs(*texts):
    return pd.DataFrame({"thread_id": "t", "comment_id": [f"c{i}" for i in range(len(texts))], "doc": "comment", "text": list(texts)})


def run(lexicon, *texts, join=True, **kw):
    d = docs(*texts)
    mwes = multiword_tuples(lexicon.terms()) if join else ()
    tokens = tokenize_documents(d, punkt=PunktSentenceTokenizer(), mwes=mwes)
    texts_map = {("t", c, "comment"): x for c, x in zip(d["comment_id"], d["text"])}
    return tokens, match_frames(tokens, lexicon, texts=texts_map, **kw)


def hits(matches, frame=None):
    m = matches[matches["counted"]]
    if frame:
        m = m[m["frame"] == frame]
    return list(m["match"])


@pytest.mark.parametrize("join", [True, False])
def test_longest_match_counts_a_token_once(lexicon, join):
    _, m = run(lexicon, "The civil war is a war.", join=join)
    # "civil war" is civil_war and both (the same term in two frames); only the second "war" is war
    assert hits(m, "civil_war") == ["civil war"]
    assert hits(m, "both") == ["civil war"]
    assert hits(m, "war") == ["war"]
    assert len(m) == 3


def test_wildcards_and_case(lexicon):
    _, m = run(lexicon, "Terrorists, terrorism and TERROR. IS fighters say this is it. Suicide bombers too.")
    assert hits(m, "terrorism") == ["Terrorists", "terrorism", "TERROR", "IS", "Suicide bombers"]


def test_exclusion_consumes_its_tokens(lexicon):
    _, m = run(lexicon, "A rebel yell from the rebels.")
    assert hits(m, "civil_war") == ["rebels"]


def test_quoted_and_negated_flags(lexicon):
    _, m = run(lexicon, "He called it “civil war” but it is not a civil war, it is no uprising.", count_quoted=False)
    civil = m[m["frame"] == "civil_war"].reset_index(drop=True)
    assert list(civil["match"]) == ["civil war", "civil war", "uprising"]
    assert list(civil["quoted"]) == [True, False, False]
    assert list(civil["negated"]) == [False, True, True]
    assert list(civil["counted"]) == [False, True, True]  # defaults: quoted not counted, negated counted
    _, m2 = run(lexicon, "it is not a civil war", count_negated=False)
    assert hits(m2, "civil_war") == []


def test_negation_window_is_in_tokens(lexicon):
    # "not" is 4 tokens before "uprising": outside a window of 3, inside a window of 4
    _, m3 = run(lexicon, "not a big bad uprising", negation_window=3)
    _, m4 = run(lexicon, "not a big bad uprising", negation_window=4)
    assert list(m3["negated"]) == [False] and list(m4["negated"]) == [True]


def test_negation_does_not_cross_sentences(lexicon):
    _, m = run(lexicon, "I do not. Uprising is the word.")
    assert list(m["negated"]) == [False]


def test_apostrophes_are_not_quotes():
    text = "the regime’s ‘war’ and don’t \"rebels\" here"
    spans = quoted_spans(text)
    quoted = [text[a:b] for a, b in spans]
    assert quoted == ["‘war’", '"rebels"']


def test_match_text_is_the_source_span(lexicon):
    text = "Civil   War again"
    _, m = run(lexicon, text, join=False)
    row = m[m["frame"] == "civil_war"].iloc[0]
    assert text[row["start"] : row["end"]] == row["match"] == "Civil   War"


def test_doc_counts_by_hand(lexicon):
    tokens, m = run(lexicon, "The civil war, the war!", "Nothing here :)")
    counts = doc_frame_counts(tokens, m, frames=frames_of([lexicon])).set_index("comment_id")
    # word tokens: The, civil war, the, war = 4 (punctuation excluded); second: Nothing, here = 2
    assert counts.loc["c0", "n_tokens"] == 4 and counts.loc["c1", "n_tokens"] == 2
    assert counts.loc["c0", "hits_civil_war"] == 1 and counts.loc["c0", "hits_war"] == 1
    assert counts.loc["c1", ["hits_civil_war", "hits_war", "hits_terrorism", "hits_both"]].sum() == 0


def test_frames_must_be_unique_across_dictionaries(lexicon):
    with pytest.raises(ValueError, match="unique"):
        frames_of([lexicon, lexicon])


def test_score_frames_attaches_attributes(lexicon):
    comments = pd.DataFrame({
        "thread_id": ["t"], "comment_id": ["c0"], "parent_id": [""], "depth": [1], "position": [1], "author_id": ["u1"],
        "created_at": [pd.Timestamp("2020-01-01", tz="UTC")], "text": ["rebels everywhere"], "source": ["s"],
        "file": ["f"], "record": [1], "rule": ["record"], "is_placeholder": [False], "shard": [0], "side": ["pro"]})
    threads = pd.DataFrame({"thread_id": ["t"], "source": ["s"], "article_text": ["An uprising began."]})
    d = pd.DataFrame({"thread_id": ["t", "t"], "comment_id": ["", "c0"], "doc": ["article", "comment"],
                      "text": ["An uprising began.", "rebels everywhere"]})
    tokens = tokenize_documents(d, punkt=PunktSentenceTokenizer())
    matches, out = score_frames(tokens, comments, threads, [lexicon])
    out = out.set_index("doc")
    assert out.loc["article", "depth"] == 0 and out.loc["comment", "depth"] == 1
    assert out.loc["comment", "side"] == "pro" and out.loc["comment", "author_id"] == "u1"
    assert out.loc["article", "hits_civil_war"] == 1 and out.loc["comment", "hits_civil_war"] == 1


def test_doc_counts_without_any_match(lexicon):
    tokens, m = run(lexicon, "Nothing to see.")
    counts = doc_frame_counts(tokens, m, frames=frames_of([lexicon]))
    assert counts["n_tokens"].tolist() == [3]
    assert counts[["hits_civil_war", "hits_war", "hits_terrorism", "hits_both", "n_matches"]].sum().sum() == 0


OVERLAP = """
name: overlap
version: "1"
frames:
  terror_a:
    label: A
    terms: [terror*, terrorist*]
  terror_b:
    label: B
    terms: [terrorism]
"""


def lexicon_file(folder, name, text):
    """A dictionary written to ``folder/name`` from YAML text, loaded."""
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_lexicon(path)


def test_one_span_counts_once_per_frame(tmp_path):
    lx = lexicon_file(tmp_path, "overlap.yaml", OVERLAP)
    _, m = run(lx, "terrorists and terrorism")
    # "terrorists": terror* and terrorist* both match, frame terror_a counts it once
    assert hits(m, "terror_a") == ["terrorists", "terrorism"]
    # "terrorism" is also a term of terror_b: the same token counts for both frames
    assert hits(m, "terror_b") == ["terrorism"]


EXCLUDE_ONE = """
name: exclude_one
version: "1"
frames:
  rebellion:
    label: Rebels
    terms: [rebel*, uprising]
    exclude: [rebellion, Rebel]
"""


def test_a_one_word_exclusion_consumes_its_token(tmp_path):
    lx = lexicon_file(tmp_path, "exclude_one.yaml", EXCLUDE_ONE)
    # "rebellion" is rebel* and the exclusion rebellion: the exclusion wins; "Rebel" too (its exclusion is
    # matched case-insensitively, like every term without a case_sensitive entry); the other two count
    _, m = run(lx, "The rebellion, a Rebel and the rebels; rebellion again, then an uprising.")
    assert hits(m, "rebellion") == ["rebels", "uprising"]


def test_arrow_tokens_give_the_same_matches_and_documents(lexicon):
    """score_frames on an Arrow table (as the rule reads it) equals score_frames on the DataFrame."""
    import pyarrow as pa

    texts = ["The civil war is a war.", 'He said "terrorists" but it is not a rebel yell.', "The civil war is a war.",
             "IS is not terror. No rebels, no uprising.", "Nothing here.", "An uprising began."]
    d = pd.DataFrame({"thread_id": ["t", "t", "u", "u", "u", "u"], "comment_id": ["c0", "c1", "c2", "c3", "c4", ""],
                      "doc": ["comment"] * 5 + ["article"], "text": texts})
    d = d.sort_values(["thread_id", "comment_id", "doc"]).reset_index(drop=True)
    tokens = tokenize_documents(d, punkt=PunktSentenceTokenizer(), mwes=multiword_tuples(lexicon.terms()))
    c = d[d["doc"] == "comment"]
    comments = pd.DataFrame({"thread_id": c["thread_id"], "comment_id": c["comment_id"], "parent_id": "", "depth": 1,
                             "position": 1, "author_id": "u1", "created_at": pd.Timestamp("2020-01-01", tz="UTC"),
                             "text": c["text"], "source": "s"}).reset_index(drop=True)
    threads = pd.DataFrame({"thread_id": ["t", "u"], "source": ["s", "s"], "article_text": ["", "An uprising began."]})
    m_pd, docs_pd = score_frames(tokens, comments, threads, [lexicon])
    m_pa, docs_pa = score_frames(pa.Table.from_pandas(tokens, preserve_index=False), comments, threads, [lexicon])
    pd.testing.assert_frame_equal(m_pa, m_pd)
    pd.testing.assert_frame_equal(docs_pa, docs_pd)
    # by hand: "terrorists" is quoted; "terror" (after "not"), "rebels" and "uprising" (after "no") are negated
    assert sorted(m_pd.loc[m_pd["quoted"], "match"]) == ["terrorists"]
    assert sorted(m_pd.loc[m_pd["negated"], "match"]) == ["rebels", "terror", "uprising"]
    assert docs_pd.set_index(["thread_id", "comment_id"]).loc[("u", "c2"), "hits_war"] == 1


# ---------------------------------------------------------------- concordance, shard by shard


def test_concordance_rule_streams_shards_into_the_one_pass_files(lexicon, tmp_path):
    """The rule writes shard after shard (the first without any match): the same CSV bytes and Parquet table as one pass."""
    import runpy
    from pathlib import Path
    from types import SimpleNamespace

    import pyarrow.parquet as pq

    from analysis import io
    from analysis.framing import concordance, document_texts

    shards = [  # (thread, {comment_id: text}, article)
        ("a", {"c0": "Nothing to see."}, ""),
        ("b", {"c0": "The civil war is a war.", "c1": 'He said "terrorists"\n\tbut   not a rebel yell.'}, "An uprising began."),
        ("c", {"c5": "IS is not terror. No rebels,\r\nno uprising, only war, war and war."}, ""),
    ]
    paths = {k: [] for k in ("matches", "comments", "threads")}
    for i, (thread, texts, article) in enumerate(shards):
        d = pd.DataFrame({"thread_id": thread, "comment_id": list(texts), "doc": "comment", "text": list(texts.values())})
        if article:
            d = pd.concat([pd.DataFrame({"thread_id": [thread], "comment_id": [""], "doc": ["article"], "text": [article]}), d])
        tokens = tokenize_documents(d, punkt=PunktSentenceTokenizer(), mwes=multiword_tuples(lexicon.terms()))
        matches = match_frames(tokens, lexicon, texts={(t, c, k): x for t, c, k, x in d.itertuples(index=False)})
        assert (len(matches) == 0) == (i == 0)
        comments = pd.DataFrame({"thread_id": thread, "comment_id": list(texts), "author_id": [f"u{i}{j}" for j in range(len(texts))],
                                 "text": list(texts.values())})
        threads = pd.DataFrame({"thread_id": [thread], "article_text": [article]})
        for name, df in (("matches", matches), ("comments", comments), ("threads", threads)):
            path = tmp_path / name / f"shard-{i:03d}.parquet"
            path.parent.mkdir(exist_ok=True)
            if name == "matches":
                io.write_table(df, path, "matches")  # as score_frames writes it, also when empty
            else:
                df.to_parquet(path, index=False)
            paths[name].append(str(path))
    out = tmp_path / "out"
    out.mkdir()
    smk = SimpleNamespace(
        input=SimpleNamespace(**paths), params=SimpleNamespace(width=12), log=[str(out / "concordance.log")],
        output=SimpleNamespace(table=str(out / "concordance.parquet"), csv=str(out / "concordance.csv")),
    )
    script = Path(__file__).resolve().parents[1] / "workflow" / "scripts" / "concordance.py"
    runpy.run_path(str(script), init_globals={"snakemake": smk})

    # one pass over all shards, as the rule did before it streamed
    comments = io.read_tables(paths["comments"])
    authors = dict(zip(zip(comments["thread_id"], comments["comment_id"]), comments["author_id"]))
    kwic = concordance(io.read_tables(paths["matches"]), document_texts(comments, io.read_tables(paths["threads"])),
                       width=12, authors=authors)
    kwic.to_parquet(tmp_path / "one.parquet", index=False)
    io.write_csv(kwic, tmp_path / "one.csv")
    assert (out / "concordance.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()
    got, want = pq.read_table(out / "concordance.parquet"), pq.read_table(tmp_path / "one.parquet")
    assert got.schema.equals(want.schema, check_metadata=True) and got.equals(want)
    # by hand: lines come in shard order; 12 characters each side, whitespace runs folded to one space
    assert list(kwic["thread_id"]) == sorted(kwic["thread_id"]) and set(kwic["thread_id"]) == {"b", "c"}
    line = kwic[(kwic["thread_id"] == "b") & (kwic["comment_id"] == "c1")].iloc[0]
    assert (line["author_id"], line["left"], line["match"], line["right"]) == ("u11", "He said \"", "terrorists", "\" but not")


def test_concordance_folds_exactly_pythons_whitespace():
    """Arrow folds the lines; every code point Python's re calls whitespace (\\s) folds, and no other."""
    import re
    import sys

    from analysis.framing import concordance

    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    text = "".join(f"x{ch}{ch}y" for ch in chars)  # each character twice between two letters
    m = pd.DataFrame({"thread_id": ["t"], "comment_id": ["c"], "doc": ["comment"], "lexicon": ["l"], "lexicon_sha": ["s"],
                      "frame": ["f"], "term": ["x"], "match": [" a\u3000\u2029b\t"], "start": [len(text)], "end": [len(text)],
                      "quoted": [False], "negated": [False], "counted": [True]})
    line = concordance(m, {("t", "c", "comment"): text}, width=len(text)).iloc[0]
    # a whitespace character left alone stays doubled, any other folded one is lost: both differ from re
    assert line["left"] == re.sub(r"\s+", " ", text) and line["match"] == " a b "
    assert len(line["left"]) == len(text) - sum(1 for ch in chars if re.match(r"\s", ch))
