"""The ingest holds a source's texts in Arrow columns and passes them through Python a batch at a time.

Regression tests for issue 14 (ingest peak memory): the duplicate search of
repeated posts, the screen for personal data and the redaction each made a
Python copy of every text at once. Python allocations are measured with
:mod:`tracemalloc` (Arrow's buffers are not counted), against the size of
the texts themselves; the results are checked against a second method.
"""

import tracemalloc

import numpy as np
import pandas as pd

from analysis.ingest.base import ReadResult
from analysis.ingest.canonical import ingest
from analysis.ingest.integrity import repeated_posts
from analysis.privacy import may_hold_personal_data

N = 60_000
WORDS = np.array("the war in syria is not a civil war says hind , and assad knows it well".split())


def _texts(n: int, seed: int = 0) -> pd.Series:
    """``n`` texts of about 400 characters (some repeated within their thread, a few holding an e-mail address)."""
    rng = np.random.default_rng(seed)
    base = [" ".join(rng.choice(WORDS, 80)) for _ in range(500)]
    texts = [base[i] if i % 7 else f"{base[i]} write to me at hind{i}@example.org" for i in rng.integers(0, 500, n)]
    return pd.Series(texts, dtype="str")  # Arrow-backed, as the readers give them


def _python_peak(fn, *args, **kw):
    tracemalloc.start()
    try:
        out = fn(*args, **kw)
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_repeated_posts_compare_a_batch_of_threads_at_a_time():
    text = _texts(N)
    thread = pd.Series([f"t{i // 300:04d}" for i in range(N)], dtype="str")  # 200 threads of 300 comments
    comments = pd.DataFrame({"thread_id": thread, "comment_id": pd.Series([f"c{i}" for i in range(N)], dtype="str"),
                             "text": text})
    found, peak = _python_peak(repeated_posts, comments)
    assert peak < text.str.len().sum() / 4  # before: a Python copy of every key (thread + text) at once
    # a second method: a dictionary of (thread, stripped text) -> first comment, in row order
    first, expected = {}, []
    for t, c, x in zip(thread, comments["comment_id"], text):
        key = (t, x.strip())
        if key[1] and key in first:
            expected.append((t, c, *first[key]))
        elif key[1]:
            first[key] = (t, c)
    assert list(found.itertuples(index=False, name=None)) == expected
    assert len(expected) > 1000


def test_personal_data_screen_scans_arrow_texts_in_place():
    text = _texts(N)
    screen, peak = _python_peak(may_hold_personal_data, text)
    assert peak < text.str.len().sum() / 10  # before: a Python list of every text, then an Arrow copy of it
    assert screen["email"].tolist() == ["@" in t for t in text]


def _result(n: int) -> ReadResult:
    text = _texts(n, seed=1)
    ids = pd.Series([f"c{i}" for i in range(n)], dtype="str")
    threads = pd.Series([f"t{i // 300:04d}" for i in range(n)], dtype="str")
    records = pd.DataFrame({
        "file": pd.Series(["f.csv"] * n, dtype="str"), "record": np.arange(1, n + 1), "thread_id": threads,
        "comment_id": ids, "parent_id": pd.Series([""] * n, dtype="str"),
        "author": pd.Series([f"Hind Abyad{i % 50}" for i in range(n)], dtype="str"),
        "created_at": pd.Series(pd.NaT, index=range(n), dtype="datetime64[us, UTC]"), "text": text,
        "rule": pd.Series(["record"] * n, dtype="str")})
    return ReadResult(records=records, threads=pd.DataFrame({
        "thread_id": threads.drop_duplicates().reset_index(drop=True), "title": "", "article_text": "",
        "site_tags": ""}))


def test_ingest_redacts_a_batch_of_texts_at_a_time():
    result = _result(N)
    size = result.records["text"].str.len().sum()
    out, peak = _python_peak(ingest, result, source="m", fmt="csv", n_shards=2, salt="s", consume=True)
    assert peak < size / 2  # before: a Python list of every text (screen and redaction), and every key
    # the e-mail addresses are gone, every other text is as it was (second method: str.replace per text)
    expected = [t.replace(f" write to me at {t.rsplit(' ', 1)[-1]}", " write to me at <email>") if "@" in t else t
                for t in _texts(N, seed=1)]
    assert out.comments.sort_values("record")["text"].tolist() == expected
    assert "text" not in result.records  # consumed: the texts are not held twice
    assert out.report["records_read"] == N
