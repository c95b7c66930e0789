"""Rule annotate's one pass equals the three steps it replaced, each run on its own from written files."""

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from nltk.tokenize.punkt import PunktSentenceTokenizer

from analysis import io
from analysis.annotate import annotate, documents
from analysis.framing import score_frames
from analysis.lexicons import load_lexicon
from analysis.matcher import TokenIndex
from analysis.stance import score_stance
from analysis.tokenization import multiword_tuples, stopword_set, token_table

LEXICONS = Path(__file__).resolve().parents[1] / "data" / "lexicons"
TOKEN_COLUMNS = ["thread_id", "comment_id", "doc", "sentence", "index", "token", "norm", "start", "end"]
TEXTS = [
    "The civil war is a war. The regime lies!",
    'He said "terrorists" but it is not a rebel yell.',
    "The civil war is a war. The regime lies!",  # a repeated text
    "IS is not terror. No rebels, no uprising, you idiot.",
    "",
    "Assad's forces; the opposition <b>fights</b> &amp; \u202eback\u202c. 🇸🇾",
]


def tables():
    n = len(TEXTS)
    comments = pd.DataFrame({
        "thread_id": ["t", "t", "t", "u", "u", "u"], "comment_id": [f"c{i}" for i in range(n)],
        "parent_id": ["", "c0", "c1", "", "c3", "c3"], "depth": [1, 2, 3, 1, 2, 2], "position": range(1, n + 1),
        "author_id": ["a", "b", "a", "c", "d", "c"], "created_at": pd.Timestamp("2020-01-01", tz="UTC"),
        "text": TEXTS, "source": "s", "side": ["pro", "anti", "pro", "anti", "pro", "anti"],
    })
    threads = pd.DataFrame({"thread_id": ["t", "u"], "source": ["s", "s"],
                            "article_text": ["", "An uprising began. Terrorists struck in the civil war."]})
    return comments, threads


@pytest.fixture(scope="module")
def lexicons():
    return {"frames": [load_lexicon(LEXICONS / "syria_frames.yaml"), load_lexicon(LEXICONS / "syria_actors.yaml")],
            "stance": load_lexicon(LEXICONS / "syria_stance.yaml"),
            "incivility": load_lexicon(LEXICONS / "incivility.yaml")}


def test_one_pass_equals_the_steps_on_written_tokens(lexicons, tmp_path):
    comments, threads = tables()
    punkt, stop = PunktSentenceTokenizer(), stopword_set("english")
    framing = {"negation_window": 3, "count_quoted": False, "count_negated": True}
    out = annotate(comments, threads, punkt=punkt, lexicons=lexicons["frames"], stance_lexicon=lexicons["stance"],
                   incivility_lexicon=lexicons["incivility"], lowercase=True, stem=False, stopwords=stop, **framing,
                   flip_negated=True)
    # the steps as separate rules ran them: tokens written, then read back dictionary-encoded by each scorer
    tokens = token_table(documents(comments, threads), punkt=punkt,
                         mwes=multiword_tuples(t for lx in lexicons["frames"] for t in lx.terms()),
                         lowercase=True, stem=False, stopwords=stop)
    io.write_arrow(tokens, tmp_path / "tokens.parquet")
    assert out.tokens.equals(pa.Table.from_pandas(io.read_table(tmp_path / "tokens.parquet"), preserve_index=False)
                             .cast(out.tokens.schema))

    def read():
        return io.read_arrow(tmp_path / "tokens.parquet", columns=TOKEN_COLUMNS, dictionary=TOKEN_COLUMNS[:4])

    matches, docs = score_frames(TokenIndex(read()), comments, threads, lexicons["frames"], **framing)
    stance = score_stance(TokenIndex(read()), comments, threads, stance_lexicon=lexicons["stance"],
                          incivility_lexicon=lexicons["incivility"], flip_negated=True,
                          negation_window=3, count_quoted=False)
    pd.testing.assert_frame_equal(out.matches, matches)
    pd.testing.assert_frame_equal(out.docs, docs)
    pd.testing.assert_frame_equal(out.stance, stance)
    # by hand: six comments and one article, less the empty comment c4 (no tokens, no row); the repeated
    # text c2 matches as c0 does; "terrorists" in c1 is quoted
    assert len(out.docs) == 6 and (out.docs["doc"] == "article").sum() == 1 and "c4" not in set(out.docs["comment_id"])
    per_doc = out.matches.groupby("comment_id")["match"].apply(list)
    assert per_doc["c0"] == per_doc["c2"] and "civil war" in [m.lower() for m in per_doc["c0"]]
    assert out.matches.loc[out.matches["comment_id"].eq("c1") & out.matches["match"].eq("terrorists"), "quoted"].all()
    assert out.stance.set_index("comment_id").loc["c3", "n_uncivil"] == 1  # "idiot"


def test_an_empty_shard_gives_empty_tables(lexicons):
    comments, threads = tables()
    out = annotate(comments.iloc[:0], threads.iloc[:0], punkt=PunktSentenceTokenizer(), lexicons=lexicons["frames"],
                   stance_lexicon=lexicons["stance"], incivility_lexicon=lexicons["incivility"], lowercase=True,
                   stem=False, negation_window=3, count_quoted=False, count_negated=True, flip_negated=False)
    assert out.tokens.num_rows == 0 and len(out.matches) == 0 and len(out.docs) == 0 and len(out.stance) == 0
