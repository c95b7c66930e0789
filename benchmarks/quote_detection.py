"""Quote detection quality: character-level precision and recall against the gold quote spans of 4forums.

Not a test: a measurement. The Internet Argument Corpus's 4forums posts
(``../shared/data/iac-4forums/comments.csv``) carry ``quote_spans``, the
corpus's own character spans of quoted text. This script runs the detectors
of :func:`analysis.quotes.find_quotes` (markup and text reuse; the declared
column is *not* used) on every thread and compares, character by character,
the union of detected passages with the union of gold spans::

    .venv/bin/python benchmarks/quote_detection.py                   # min_words 8
    .venv/bin/python benchmarks/quote_detection.py --min-words 5 6 8 10

Precision: the share of detected characters that are gold-quoted; recall:
the share of gold-quoted characters detected (both pooled over all posts;
whitespace characters are not counted, since span edges differ only in
them). Prints one line per ``--min-words`` and, with ``--json``, writes the
numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.quotes import declared_spans, find_quotes, merge_spans  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "iac-4forums" / "comments.csv"


def load(path: Path = DATA) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The posts as a canonical-like comments table (with ``quote_spans``) and a threads table without articles."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    comments = pd.DataFrame({
        "thread_id": raw["thread_id"], "comment_id": raw["comment_id"], "text": raw["text"],
        "author_id": raw["author"],  # in memory only: a run copied from one's own post is not a quote
        "created_at": pd.to_datetime(pd.to_numeric(raw["created_at"], errors="coerce"), unit="s", utc=True),
        "quote_spans": raw["quote_spans"],
    })
    threads = pd.DataFrame({"thread_id": comments["thread_id"].unique(), "article_text": ""})
    return comments, threads


def char_scores(comments: pd.DataFrame, found: pd.DataFrame) -> dict:
    """Character-level true positives, detected and gold characters (non-space), and precision and recall."""
    by_doc = {k: list(zip(g["start"], g["end"])) for k, g in
              found[found["doc"] == "comment"].groupby(["thread_id", "comment_id"], sort=False)}
    tp = n_found = n_gold = 0
    for t, c, text, value in zip(comments["thread_id"], comments["comment_id"], comments["text"],
                                 comments["quote_spans"]):
        gold = [(s, e) for s, e, _ in declared_spans(value, text_length=len(text), column="quote_spans",
                                                        comment_id=c)]
        pred = by_doc.get((t, c), [])
        if not gold and not pred:
            continue
        visible = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        visible = ~np.isin(visible, [9, 10, 13, 32, 160])
        g = np.zeros(len(text), dtype=bool)
        p = np.zeros(len(text), dtype=bool)
        for s, e in merge_spans(gold):
            g[s:e] = True
        for s, e in merge_spans(pred):
            p[s:e] = True
        tp += int((g & p & visible).sum())
        n_found += int((p & visible).sum())
        n_gold += int((g & visible).sum())
    return {"true_positive_chars": tp, "detected_chars": n_found, "gold_chars": n_gold,
            "precision": tp / n_found if n_found else float("nan"),
            "recall": tp / n_gold if n_gold else float("nan")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--min-words", type=int, nargs="+", default=[8])
    ap.add_argument("--detect", nargs="+", default=["markup", "reuse"])
    ap.add_argument("--json", type=Path, help="write the numbers here")
    args = ap.parse_args(argv)
    if not DATA.is_file():
        print(f"{DATA}: not found (needs ../shared/data beside the project)", file=sys.stderr)
        return 1
    comments, threads = load()
    results = []
    for n in args.min_words:
        t0 = time.perf_counter()
        found = find_quotes(comments.drop(columns="quote_spans"), threads, detect=args.detect, min_words=n)
        seconds = time.perf_counter() - t0
        scores = char_scores(comments, found) | {"min_words": n, "detect": args.detect, "seconds": round(seconds, 2),
                                                 "passages": int(len(found))}
        for source, k in found["source"].value_counts().sort_index().items():
            scores[f"passages_{source}"] = int(k)
        results.append(scores)
        print(f"min_words={n:2d} detect={'+'.join(args.detect)}: precision {scores['precision']:.3f}, "
              f"recall {scores['recall']:.3f} ({scores['passages']} passages, {seconds:.1f} s)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
