"""Descriptive statistics of a corpus: the numbers and tables the data page quotes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.codes import combined_codes, numbers, run_starts, string_codes
from analysis.ingest.integrity import parent_index

__all__ = ["depth_bins", "document_token_counts", "corpus_numbers", "comments_per_depth", "thread_summary",
           "pick_example_thread", "first_subtrees", "tree_layout"]


def document_token_counts(tokens: pa.Table) -> pd.DataFrame:
    """Per document (thread_id, comment_id, doc): word tokens, sentences and multi-word-expression tokens.

    Computed one shard at a time, so the corpus's tokens never sit in memory
    together; a document lies in one shard (its thread's). ``tokens`` is the
    Arrow table as read from Parquet, best with the three key columns read
    as dictionaries (``read_dictionary``): no Python string is made per
    token. The key, ``sentence`` and ``is_mwe`` columns hold no nulls.

    Counts are run lengths found from integer codes of the keys: a shard
    stores each document's tokens as one run of consecutive rows, sentences
    in order. Rows in any other order (a document in several runs, sentence
    numbers falling within a document) are first put in that order by a
    stable sort, documents in order of their first token. Rows come in order
    of each document's first token.
    """
    keys = ["thread_id", "comment_id", "doc"]
    if not tokens.num_rows:
        return pd.DataFrame(columns=[*keys, "n_tokens", "n_sentences", "n_mwe"])
    table = tokens.select([*keys, "sentence", "is_mwe"])
    nulls = [c for c in table.column_names if table.column(c).null_count]
    if nulls:
        raise ValueError(f"tokens: null values in column(s) {nulls}; expected a tokens table without nulls there")
    n = table.num_rows
    coded = [string_codes(table.column(k)) for k in keys]
    codes = [c for c, _ in coded]
    sentence = numbers(table, "sentence")
    is_mwe = numbers(table, "is_mwe")
    if not _in_runs(codes, sentence):
        # documents numbered by first token; a stable sort by (document, sentence) makes one run per document
        doc, _ = pd.factorize(combined_codes([(c, c[:0], int(c.max()) + 1) for c in codes])[0])
        order = np.lexsort((sentence, doc))
        codes, sentence, is_mwe = [c[order] for c in codes], sentence[order], is_mwe[order]
    change = run_starts(codes, n)
    starts = np.flatnonzero(change)
    new_sentence = change.copy()
    new_sentence[1:] |= sentence[1:] != sentence[:-1]
    out = pd.DataFrame({k: dictionary.take(pa.array(c[starts])).to_pandas()
                        for k, c, (_, dictionary) in zip(keys, codes, coded)})
    out["n_tokens"] = np.diff(starts, append=n).astype("int64")
    out["n_sentences"] = np.add.reduceat(new_sentence, starts, dtype=np.int64)
    out["n_mwe"] = np.add.reduceat(is_mwe, starts, dtype=np.int64)
    return out


def _in_runs(codes: list[np.ndarray], sentence: np.ndarray) -> bool:
    """Whether each document (key tuple) is one run of rows with its sentence numbers not decreasing."""
    change = run_starts(codes, len(sentence))
    starts = np.flatnonzero(change)
    # each document one run: the key tuples at the run starts are all distinct
    key = np.zeros(len(starts), dtype=np.int64)
    for c in codes:  # renumbered after each column, so the combined code stays below runs x values
        key = np.unique(key * (int(c.max()) + 1) + c[starts].astype(np.int64), return_inverse=True)[1].ravel()
    if int(key.max()) + 1 != len(starts):
        return False
    return not (np.diff(sentence)[~change[1:]] < 0).any()


def corpus_numbers(comments: pd.DataFrame, threads: pd.DataFrame, doc_tokens: pd.DataFrame) -> dict:
    """Counts of the corpus as a flat dict of plain numbers (for the book's prose).

    ``doc_tokens`` is :func:`document_token_counts` of every shard, concatenated.
    """
    comment_docs = doc_tokens.loc[doc_tokens["doc"] == "comment"]
    per_thread = comments.groupby("thread_id").size()
    return {
        "n_sources": int(threads["source"].nunique()),
        "n_threads": int(len(threads)),
        "n_threads_with_article": int((threads["article_text"] != "").sum()),
        "n_comments": int(len(comments)),
        "n_top_level": int((comments["depth"] == 1).sum()),
        "n_replies": int((comments["depth"] > 1).sum()),
        "n_authors": int(comments.loc[comments["author_id"] != "", "author_id"].nunique()),
        "n_comments_without_author": int((comments["author_id"] == "").sum()),
        "share_comments_without_author": (float(round((comments["author_id"] == "").mean(), 4))
                                          if len(comments) else 0.0),
        "max_depth": int(comments["depth"].max()) if len(comments) else 0,
        "median_comments_per_thread": float(per_thread.median()) if len(per_thread) else 0.0,
        "n_tokens": int(doc_tokens["n_tokens"].sum()),
        "n_comment_tokens": int(comment_docs["n_tokens"].sum()),
        "n_article_tokens": int(doc_tokens.loc[doc_tokens["doc"] == "article", "n_tokens"].sum()),
        "n_sentences": int(doc_tokens["n_sentences"].sum()),
        "n_mwe_tokens": int(doc_tokens["n_mwe"].sum()),
        "median_tokens_per_comment": float(comment_docs["n_tokens"].median()) if len(comment_docs) else 0.0,
    }


def depth_bins(depths, *, start: int, max_bins: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each reply depth's bin: depths up to ``start`` alone, deeper ones in bins of doubling width
    (``start`` 12: 13-24, 25-48, 49-96, ...; ``start`` 3: 4-6, 7-12, ...), so 300 depths make 17 bins from 12.

    With ``max_bins``, the bins from the ``max_bins``-th on are one, labelled ``"N+"``. A bin that holds one
    of the given depths only is labelled with that depth. Returns (labels, first depth of the bin), aligned
    with ``depths``.
    """
    d = np.asarray(depths, dtype=int)
    k = np.where(d > start, np.floor(np.log2(np.maximum(d - 1, start) / start)).astype(int), 0)
    lo = np.where(d > start, start * 2 ** k + 1, d)
    hi = np.where(d > start, start * 2 ** (k + 1), d)
    firsts = np.unique(lo)
    cut = firsts[max_bins - 1] if max_bins is not None and len(firsts) > max_bins else None
    if cut is not None:
        hi = np.where(lo >= cut, -1, hi)  # -1: open-ended
        lo = np.minimum(lo, cut)
    present = pd.Series(d).groupby(lo).nunique()
    single = pd.Series(d).groupby(lo).min()
    labels = np.array([str(single[a]) if present[a] == 1 else (f"{a}+" if b < 0 else f"{a}\u2013{b}")
                       for a, b in zip(lo.tolist(), hi.tolist())], dtype=object)
    return labels, lo


def comments_per_depth(comments: pd.DataFrame) -> pd.DataFrame:
    """Comments at each reply depth (1 = top level), with their share of all comments."""
    counts = comments.groupby("depth").size()
    full = counts.reindex(range(1, int(counts.index.max()) + 1), fill_value=0) if len(counts) else counts
    out = pd.DataFrame({"depth": full.index.astype(int), "n_comments": full.to_numpy(dtype=int)})
    out["share"] = (out["n_comments"] / max(1, out["n_comments"].sum())).round(4)
    return out


def thread_summary(comments: pd.DataFrame, threads: pd.DataFrame) -> pd.DataFrame:
    """One row per thread: size, depth, authors (titles are untrusted text)."""
    g = comments.groupby("thread_id")
    out = threads[["thread_id", "source", "title", "n_comments"]].set_index("thread_id")
    out["max_depth"] = g["depth"].max()
    known = comments["author_id"] != ""
    out["n_authors"] = comments.loc[known, "author_id"].groupby(comments.loc[known, "thread_id"]).nunique()
    out["n_top_level"] = (comments["depth"] == 1).groupby(comments["thread_id"]).sum()
    out = out.fillna(0).astype({"max_depth": int, "n_authors": int, "n_top_level": int})
    return out.reset_index().sort_values(["n_comments", "thread_id"], ascending=[False, True]).reset_index(drop=True)


def pick_example_thread(sizes: pd.Series, *, requested: str = "") -> str:
    """The thread to draw: ``requested`` if given, else the one with most comments (ties: smallest id).

    ``sizes`` is the number of comments of each thread, indexed by thread id
    (the ``n_comments`` column of :func:`thread_summary`), so the choice needs
    no comment table. Only threads with comments count.
    """
    sizes = sizes[sizes > 0]
    if requested:
        if requested not in set(sizes.index):
            raise ValueError(f"book.example_thread={requested!r}: "
                             "expected one of the corpus's thread ids with comments")
        return requested
    return str(sizes[sizes == sizes.max()].index.min()) if len(sizes) else ""


def first_subtrees(thread: pd.DataFrame, *, max_comments: int) -> pd.DataFrame:
    """Whole top-level discussions of one thread, in order, up to ``max_comments`` comments.

    A drawing of a cut tree would show replies without the discussion they
    belong to, so whole subtrees are taken (top-level comments by position),
    stopping before the first that would pass the limit; the first subtree is
    always taken, cut to the limit in reading order if it alone is larger.
    """
    t = thread.reset_index(drop=True)
    parent = parent_index(t["thread_id"], t["comment_id"], t["parent_id"])
    root = np.arange(len(t))
    for _ in range(int(t["depth"].max()) if len(t) else 0):  # climb to the top-level ancestor
        up = parent[root] >= 0
        root[up] = parent[root[up]]
    sizes = pd.Series(root).value_counts()
    order = t.loc[t["depth"] == 1].sort_values("position").index
    keep, total = [], 0
    for r in order:
        if keep and total + sizes[r] > max_comments:
            break
        keep.append(r)
        total += sizes[r]
    chosen = t[np.isin(root, keep)]
    if len(chosen) > max_comments:
        chosen = chosen.sort_values("record").head(max_comments)
        chosen = chosen[chosen["parent_id"].isin(set(chosen["comment_id"]) | {""})]
    return chosen


def tree_layout(thread: pd.DataFrame) -> pd.DataFrame:
    """Tidy layered layout of one reply tree: x by leaf order, y = depth.

    Leaves take consecutive x positions in reading order (depth first, siblings
    by position); a parent sits at the mean x of its children. Returns the
    thread's rows with columns ``x`` and ``y`` (y = depth), and ``parent_row``.
    """
    t = thread.reset_index(drop=True)
    parent = parent_index(t["thread_id"], t["comment_id"], t["parent_id"])
    children: dict[int, list[int]] = {}
    for row in np.argsort(t["position"].to_numpy(), kind="stable"):
        children.setdefault(int(parent[row]), []).append(int(row))
    x = np.zeros(len(t))
    counter = 0

    def place(node: int) -> float:  # recursion depth = tree depth
        nonlocal counter
        kids = children.get(node, [])
        if not kids:
            x[node] = counter
            counter += 1
        else:
            x[node] = float(np.mean([place(k) for k in kids]))
        return x[node]

    for root in children.get(-1, []):
        place(root)
    return t.assign(x=x, y=t["depth"].to_numpy(), parent_row=parent)
