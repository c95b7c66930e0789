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
    path = tmp_path_factory.mktemp("lex") / "test_frames.yaml"
    path.write_text(textwrap.dedent(LEXICON), encoding="utf-8")
    return load_lexicon(path)


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


def test_one_span_counts_once_per_frame(tmp_path):
    path = tmp_path / "overlap.yaml"
    path.write_text(textwrap.dedent(OVERLAP), encoding="utf-8")
    lx = load_lexicon(path)
    _, m = run(lx, "terrorists and terrorism")
    # "terrorists": terror* and terrorist* both match, frame terror_a counts it once
    assert hits(m, "terror_a") == ["terrorists", "terrorism"]
    # "terrorism" is also a term of terror_b: the same token counts for both frames
    assert hits(m, "terror_b") == ["terrorism"]
