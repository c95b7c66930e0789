"""Synthetic benchmark corpora: real comment text resampled into realistic reply trees.

Not a test: a tool for ``benchmarks/run.py`` and for trying the workflow at
scale. It writes ``N`` comments in ``M`` threads as CSV files the workflow's
``csv`` source format reads, plus a ready-to-run config::

    python benchmarks/generate_corpus.py --comments 100000 --threads 1000 --seed 1 --out /tmp/bench-100k
    snakemake --cores 2 --configfile /tmp/bench-100k/config.yaml

What is real and what is drawn
------------------------------
* **Text**: every comment's text is one real comment (or comment sentence),
  drawn uniformly with replacement from the pool: the comments of the
  embedded sample thread (``data/seed``) and, when ``../shared/data`` is
  present, the CreateDebate gun-control posts, the SFU Globe and Mail
  comments and the comment sentences of FrAC. Texts are kept byte for byte
  (newlines, quotes and commas included). Thread titles are drawn from the
  real titles of the same sources.
* **Thread sizes**: heavy-tailed: each thread's share is ``1 + Pareto(2)`` (a power-law tail),
  sizes are ``1 + Multinomial(N - M, shares)``, so most threads are small and
  a few hold thousands of comments.
* **Reply trees**: comments arrive in time order; each is top level with
  probability 0.4 (always for the first), otherwise it replies to an earlier
  comment of the thread chosen with weight ``0.35 ** (depth - 1)``: most
  replies go to comments near the top and depth decays roughly
  geometrically.
* **Authors**: ``N / 8`` pseudonymous synthetic names (``user000042``) with a
  Zipf(1.1) activity law (a few very active authors, a long tail of one-off
  posters); 3 % of comments have no author (deleted accounts).
* **Quoting**: a reply quotes its parent with probability 0.78 (the share of
  4forums replies that quote, measured on the gold ``quote_spans`` of
  ``../shared/data/iac-4forums``): its text is a run of the parent's text
  (at whitespace), a blank line, then part of its own pool text; 28 % of
  quoting replies alternate 2 to 6 such passages with their own words (the
  4forums counts). A run's length is a fraction of the parent's, drawn from
  the 4forums distribution of quoted length over parent length (quantiles
  0.03, 0.06, 0.17, 0.47, 0.89 at 10, 25, 50, 75, 90 %) times
  ``QUOTE_SCALE``, calibrated so that about 37 % of characters are quoted,
  as in 4forums (the pool's texts are shorter). A parent's text may itself
  hold quotes (a quote of a quote). ``manifest.json`` records the generated
  shares (``quoting_replies_share``, ``quoted_chars_share``).
* **Times**: each thread starts at a uniform time in 2015-2020; comments
  follow at exponential gaps (mean 20 minutes, at least one second), so times
  increase along every reply chain.

Everything is drawn from ``numpy.random.default_rng(seed)`` in a fixed order
over a pool read in a fixed order: the same arguments give the same bytes.
The pool depends on whether ``../shared/data`` exists; ``manifest.json``
records which texts were used.

Output (``--out DIR``)
----------------------
* ``DIR/comments/part-NNNNN.csv``: columns ``comment_id``, ``parent_id``,
  ``thread_id``, ``author``, ``created_at``, ``title``, ``text``; each file
  holds ``--threads-per-file`` whole threads, rows in thread then time order;
* ``DIR/config.yaml``: the source (format ``csv`` with its column mapping),
  ``results: DIR/results``, ``n_shards`` sized for the corpus (about 50,000
  comments a shard, so that two per-shard jobs at once stay near 2 GB; even,
  at least 2), the project's dictionaries plus the
  gun-control frames (most pooled text is about gun control); with
  ``--shard-by-file`` also ``shard_by: file`` on the source;
* ``DIR/manifest.json``: arguments, pool sizes, corpus statistics.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"

#: Column mapping of the written CSV files (keys: the csv reader's canonical fields).
COLUMNS = {
    "id": "comment_id",
    "parent_id": "parent_id",
    "thread_id": "thread_id",
    "author": "author",
    "created_at": "created_at",
    "text": "text",
    "title": "title",
}
FIELDS = ["comment_id", "parent_id", "thread_id", "author", "created_at", "title", "text"]

P_TOP = 0.4  # a comment (other than the first) is top level with this probability
DEPTH_DECAY = 0.35  # weight of a candidate parent at depth d: DEPTH_DECAY ** (d - 1)
PARETO_SHAPE = 2.0  # thread shares 1 + Pareto(shape) (Lomax): power-law tail, finite mean and variance
COMMENTS_PER_AUTHOR = 8
ZIPF_EXPONENT = 1.1
P_NO_AUTHOR = 0.03
MEAN_GAP_S = 1200.0
START = np.datetime64("2015-01-01T00:00:00", "s")
SPAN_S = int((np.datetime64("2021-01-01T00:00:00", "s") - START) / np.timedelta64(1, "s"))
COMMENTS_PER_SHARD = 50_000
P_QUOTE = 0.78  # a reply quotes its parent (4forums: 78 % of replies)
# quoted length / parent length: the 4forums quantiles (10 ... 90 %), padded to an inverse CDF on [0, 1]
# passages per quoting reply (4forums: 1 to 5, 6 or more folded into 6)
PASSAGES = [0.72, 0.106, 0.055, 0.035, 0.023, 0.061]
QUOTE_SCALE = 3.5  # calibrated: the pool's texts are shorter than 4forums posts; 3.5 gives about 37 % quoted characters
QUOTE_FRACTION_CDF = ([0.0, 0.10, 0.25, 0.50, 0.75, 0.90, 1.0], [0.01, 0.026, 0.061, 0.165, 0.468, 0.891, 1.0])
LEXICONS = ["data/lexicons/syria_frames.yaml", "data/lexicons/syria_actors.yaml",
            "data/lexicons/gun_control_frames.yaml"]


# ------------------------------------------------------------------ the text pool


def read_pool(shared: Path | None = SHARED) -> tuple[list[str], list[str], dict[str, int]]:
    """Real comment texts and thread titles, in a fixed order, and how many came from each source.

    The seed thread is always read (with the workflow's own scraped-text
    reader); the sets in ``shared`` only when that folder holds them.
    """
    sys.path.insert(0, str(ROOT))
    from analysis.ingest.scraped import read_scraped

    texts: list[str] = []
    titles: list[str] = []
    counts: dict[str, int] = {}
    for path in sorted((ROOT / "data" / "seed").glob("*.txt")):
        seed = read_scraped(path, file=path.name, thread_id=path.stem)
        kept = [t for t in seed.records["text"].tolist() if isinstance(t, str) and t.strip()]
        texts += kept
        titles += [t for t in seed.threads["title"].tolist() if t]
        counts["seed"] = counts.get("seed", 0) + len(kept)
    if shared is not None and shared.is_dir():
        sets = [
            ("createdebate", "createdebate-guncontrol/comments.csv", "text", "thread_title", None),
            ("sfu", "sfu-constructiveness/SFU_constructiveness_toxicity.csv", "comment", "title", None),
            ("frac", "frac-frames/final_gold_single_v2025-06-28.csv", "sentence", None, ("type", "comment")),
        ]
        for name, rel, text_col, title_col, keep in sets:
            path = shared / rel
            if not path.is_file():
                continue
            rows = _read_csv(path)
            if keep is not None:
                rows = [r for r in rows if r.get(keep[0]) == keep[1]]
            kept = [r[text_col] for r in rows if r[text_col].strip()]
            texts += kept
            counts[name] = len(kept)
            if title_col:
                titles += sorted({r[title_col].strip() for r in rows if r[title_col].strip()})
    if not texts:
        raise SystemExit("no comment text found: data/seed is missing")
    return texts, titles or ["Untitled thread"], counts


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ------------------------------------------------------------------ structure


def thread_sizes(n_comments: int, n_threads: int, rng: np.random.Generator) -> np.ndarray:
    """Heavy-tailed thread sizes, each >= 1, summing to ``n_comments``."""
    shares = 1.0 + rng.pareto(PARETO_SHAPE, size=n_threads)
    extra = rng.multinomial(n_comments - n_threads, shares / shares.sum())
    return 1 + extra


def reply_tree(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Parent (index into the thread, -1 for top level) and depth (1 = top level) of ``n`` comments in time order."""
    parent = np.full(n, -1, dtype=np.int64)
    depth = np.ones(n, dtype=np.int64)
    top = rng.random(n) < P_TOP
    u_level = rng.random(n)
    u_pick = rng.random(n)
    levels: list[list[int]] = [[0]]  # levels[d - 1]: comments at depth d so far
    weights: list[float] = [1.0]  # per level: len(level) * DEPTH_DECAY ** (d - 1)
    for k in range(1, n):
        if not top[k]:
            total = sum(weights)
            x = u_level[k] * total
            d = 0
            while d < len(weights) - 1 and x >= weights[d]:
                x -= weights[d]
                d += 1
            level = levels[d]
            p = level[min(int(u_pick[k] * len(level)), len(level) - 1)]
            parent[k] = p
            depth[k] = d + 2
        dk = int(depth[k])
        if dk > len(levels):
            levels.append([])
            weights.append(0.0)
        levels[dk - 1].append(k)
        weights[dk - 1] += DEPTH_DECAY ** (dk - 1)
    return parent, depth


def author_names(n_authors: int) -> np.ndarray:
    width = max(6, len(str(n_authors - 1)))
    return np.array([f"user{i:0{width}d}" for i in range(n_authors)], dtype=object)


def quote_of(parent_text: str, own_text: str, rng: np.random.Generator) -> tuple[str, int]:
    """A reply quoting its parent: ``k`` runs of ``parent_text`` (cut at whitespace), each followed by a blank line
    and a part of ``own_text``; and the quoted characters (0 when the parent has no words to quote).

    ``k`` and each run's length (a fraction of the parent, scaled by QUOTE_SCALE, at most all of it) are drawn
    from the 4forums distributions (PASSAGES, QUOTE_FRACTION_CDF).
    """
    k = int(rng.choice(len(PASSAGES), p=PASSAGES)) + 1
    cuts = sorted(int(c) for c in rng.integers(0, len(own_text) + 1, size=k - 1))
    own_parts = [own_text[a:b] for a, b in zip([0, *cuts], [*cuts, len(own_text)])]
    pieces, n_quoted = [], 0
    for part, u_fraction, u_start in zip(own_parts, rng.random(k), rng.random(k)):
        fraction = min(1.0, QUOTE_SCALE * float(np.interp(u_fraction, *QUOTE_FRACTION_CDF)))
        length = max(1, round(fraction * len(parent_text)))
        start = int(u_start * (len(parent_text) - length + 1))
        while start > 0 and not parent_text[start - 1].isspace():  # widen to whole words
            start -= 1
        end = min(len(parent_text), start + length)
        while end < len(parent_text) and not parent_text[end].isspace():
            end += 1
        quote = parent_text[start:end].strip()
        if quote:
            pieces.append(quote)
            n_quoted += len(quote)
        if part.strip():
            pieces.append(part.strip())
    if not n_quoted:
        return own_text, 0
    return "\n\n".join(pieces), n_quoted


# ------------------------------------------------------------------ the corpus


def generate(
    *,
    n_comments: int,
    n_threads: int,
    seed: int,
    out: Path,
    threads_per_file: int | None = None,
    shard_by_file: bool = False,
    shared: Path | None = SHARED,
    n_shards: int | None = None,
) -> dict:
    """Write the corpus, its config and manifest under ``out``; return the manifest."""
    if n_threads < 1 or n_comments < n_threads:
        raise SystemExit(f"--comments {n_comments} --threads {n_threads}: need 1 <= threads <= comments")
    rng = np.random.default_rng(seed)
    texts, titles, pool_counts = read_pool(shared)
    per_file = threads_per_file or default_threads_per_file(n_comments, n_threads)
    shards = n_shards or default_n_shards(n_comments)

    sizes = thread_sizes(n_comments, n_threads, rng)
    n_authors = max(20, n_comments // COMMENTS_PER_AUTHOR)
    activity = 1.0 / np.arange(1, n_authors + 1) ** ZIPF_EXPONENT
    names = author_names(n_authors)
    rng.shuffle(names)  # the most active author is not user000000
    text_idx = rng.integers(0, len(texts), size=n_comments)
    author_idx = rng.choice(n_authors, size=n_comments, p=activity / activity.sum())
    no_author = rng.random(n_comments) < P_NO_AUTHOR
    gaps = np.maximum(1, rng.exponential(MEAN_GAP_S, size=n_comments).astype(np.int64))
    starts = rng.integers(0, SPAN_S, size=n_threads)
    title_idx = rng.integers(0, len(titles), size=n_threads)
    # drawn after everything above, so that structure, authors and times do not depend on quoting
    quotes = rng.random(n_comments) < P_QUOTE
    quote_rng = np.random.default_rng([seed, 1])  # the quotes' own stream, drawn per quoting reply in corpus order
    n_quoting = quoted_chars = total_chars = n_replies = 0

    folder = out / "comments"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("part-*.csv"):
        old.unlink()
    width = max(8, len(str(n_comments - 1)))
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    depth_counts: dict[int, int] = {}
    n_files = 0
    for f0 in range(0, n_threads, per_file):
        path = folder / f"part-{n_files:05d}.csv"
        n_files += 1
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(FIELDS)
            for t in range(f0, min(f0 + per_file, n_threads)):
                a, n = int(first[t]), int(sizes[t])
                parent, depth = reply_tree(n, rng)
                for d, c in zip(*np.unique(depth, return_counts=True)):
                    depth_counts[int(d)] = depth_counts.get(int(d), 0) + int(c)
                times = START + np.timedelta64(1, "s") * (int(starts[t]) + np.cumsum(gaps[a : a + n]))
                stamps = np.datetime_as_string(times, unit="s")
                ids = [f"c{a + k:0{width}d}" for k in range(n)]
                tid = f"t{t:06d}"
                title = titles[title_idx[t]]
                written: list[str] = []
                for k in range(n):
                    text = texts[text_idx[a + k]]
                    if parent[k] >= 0:
                        n_replies += 1
                        if quotes[a + k]:
                            text, q = quote_of(written[parent[k]], text, quote_rng)
                            n_quoting += q > 0
                            quoted_chars += q
                    total_chars += len(text)
                    written.append(text)
                    writer.writerow(
                        (
                            ids[k],
                            ids[parent[k]] if parent[k] >= 0 else "",
                            tid,
                            "" if no_author[a + k] else names[author_idx[a + k]],
                            stamps[k] + "Z",
                            title,
                            text,
                        )
                    )
    config = corpus_config(out, shards=shards, shard_by_file=shard_by_file)
    (out / "config.yaml").write_text(config, encoding="utf-8")
    manifest = {
        "comments": n_comments,
        "threads": n_threads,
        "seed": seed,
        "threads_per_file": per_file,
        "files": n_files,
        "n_shards": shards,
        "shard_by_file": shard_by_file,
        "pool": pool_counts,
        "pool_texts": len(texts),
        "mean_text_chars": round(float(np.mean([len(texts[i]) for i in text_idx[: min(n_comments, 100_000)]])), 1),
        "authors": n_authors,
        "quoting_replies_share": round(n_quoting / n_replies, 4) if n_replies else 0.0,
        "quoted_chars_share": round(quoted_chars / total_chars, 4) if total_chars else 0.0,
        "largest_thread": int(sizes.max()),
        "median_thread": float(np.median(sizes)),
        "comments_per_depth": {str(k): depth_counts[k] for k in sorted(depth_counts)},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def default_threads_per_file(n_comments: int, n_threads: int) -> int:
    """About 10,000 comments a file (at least one thread)."""
    return max(1, round(n_threads * 10_000 / n_comments))


def default_n_shards(n_comments: int) -> int:
    """About COMMENTS_PER_SHARD comments a shard, an even number (two cores), at least 2."""
    return min(1000, max(2, 2 * math.ceil(n_comments / (2 * COMMENTS_PER_SHARD))))


def corpus_config(out: Path, *, shards: int, shard_by_file: bool) -> str:
    """The config YAML of a generated corpus (written by hand, so the bytes are fixed)."""
    folder = (out / "comments").resolve()
    results = (out / "results").resolve()
    lines = [
        "# Synthetic benchmark corpus written by benchmarks/generate_corpus.py (see manifest.json).",
        "sources:",
        "  - id: synthetic",
        "    format: csv",
        f"    path: {json.dumps(str(folder))}",
        "    columns:",
        *[f"      {k}: {v}" for k, v in COLUMNS.items()],
    ]
    if shard_by_file:
        lines.append("    shard_by: file")
    lines += [
        f"results: {json.dumps(str(results))}",
        f"n_shards: {shards}",
        "lexicons:",
        *[f"  - {p}" for p in LEXICONS],
        "polarization:",
        "  stance_lexicon: data/lexicons/syria_stance.yaml",
        "",
    ]
    return "\n".join(lines)


def parse_count(text: str) -> int:
    """``10k`` -> 10000, ``1M`` -> 1000000, ``2500`` -> 2500."""
    t = text.strip().lower().replace("_", "").replace(",", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    try:
        return int(float(t[:-1] if scale > 1 else t) * scale)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a count such as 10000, 10k or 1M") from None


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--comments", type=parse_count, required=True, help="number of comments (10k, 1M, ...)")
    ap.add_argument("--threads", type=parse_count, required=True, help="number of threads")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--out", type=Path, required=True, help="output folder")
    ap.add_argument("--threads-per-file", type=int, default=None,
                    help="whole threads per CSV file (default: about 10,000 comments a file)")
    ap.add_argument("--n-shards", type=int, default=None,
                    help="n_shards of the config (default: ~50,000 comments a shard)")
    ap.add_argument("--shard-by-file", action="store_true", help="write 'shard_by: file' on the source")
    ap.add_argument("--shared", type=Path, default=SHARED, help="folder of the real data sets (default ../shared/data)")
    args = ap.parse_args(argv)
    manifest = generate(
        n_comments=args.comments,
        n_threads=args.threads,
        seed=args.seed,
        out=args.out,
        threads_per_file=args.threads_per_file,
        shard_by_file=args.shard_by_file,
        shared=args.shared,
        n_shards=args.n_shards,
    )
    print(json.dumps(manifest))


if __name__ == "__main__":
    main()
