"""Language identification (analysis.language): labels on real corpora, candidate sets, truncation, speed.

Not a test: a measurement, run by hand::

    .venv/bin/python benchmarks/language_id.py                 # every corpus found under ../shared/data
    .venv/bin/python benchmarks/language_id.py --bench /work/bench-100k/comments --n 50000

For each corpus (its known language in brackets) and each candidate set
(``study+bucket``: the study's languages and :data:`analysis.language.BUCKET`,
the default; ``full``: every label of the model; ``study``: the study's
languages alone) it prints the share of each label, the share of texts given
the corpus's language, and texts per second (CPU, one process; the model's
one-off load is left out). Then, for the default set, how often the label of
the first ``max_chars`` characters agrees with the label of the whole text.
No comment text is printed.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from analysis import language

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def corpora(data: Path) -> list[tuple[str, str, pd.Series]]:
    """(name, expected language, texts) of each real corpus present."""
    out = []
    for name, rel, col, lang in [("mpold", "arabic-comments/mpold.csv", "text", "ar"),
                                 ("youtube_replies", "arabic-comments/youtube_replies.csv", "text", "ar"),
                                 ("createdebate", "createdebate-guncontrol/comments.csv", "text", "en"),
                                 ("iac-4forums", "iac-4forums/comments.csv", "text", "en")]:
        path = data / rel
        if path.is_file():
            out.append((name, lang, pd.read_csv(path, dtype=str, keep_default_na=False)[col]))
    seed = data / "seed"
    if seed.is_dir():
        from analysis.ingest.sources import read_source

        res = read_source({"id": "seed", "format": "scraped_text", "path": str(seed)})
        out.append(("seed (the sample)", "en", res.records["text"]))
    return out


def run(texts: pd.Series, *, languages, bucket, max_chars=language.MAX_CHARS) -> tuple[pd.Series, float]:
    start = time.process_time()
    labels = pd.Series(language.identify(texts, languages=languages, bucket=bucket, max_chars=max_chars))
    return labels, time.process_time() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--bench", type=Path, help="a folder of generated CSV parts (benchmarks/generate_corpus.py)")
    ap.add_argument("--n", type=int, default=50_000, help="comments of --bench to time")
    args = ap.parse_args()
    language.identify(["warm up the model"], languages=["en"])
    for name, lang, texts in corpora(args.data):
        texts = texts.drop_duplicates()  # identify classifies each distinct text once anyway: time distinct texts
        print(f"\n{name} [{lang}]: {len(texts):,} distinct texts")
        for setname, languages, bucket in [("study+bucket", [lang], language.BUCKET), ("full", [lang], None),
                                           ("study en+ar", ["en", "ar"], ())]:
            labels, cpu = run(texts, languages=languages, bucket=bucket)
            top = labels.value_counts(normalize=True).head(6)
            print(f"  {setname:13s} {lang}: {(labels == lang).mean():.4f}  und: {(labels == 'und').mean():.4f}  "
                  f"{len(texts) / cpu:,.0f} texts/s  top: "
                  + ", ".join(f"{k} {v:.4f}" for k, v in top.items()))
        whole, _ = run(texts, languages=[lang], bucket=language.BUCKET, max_chars=None)
        for n in (100, 200, 500):
            head, cpu = run(texts, languages=[lang], bucket=language.BUCKET, max_chars=n)
            long = texts.str.len().to_numpy() > n
            print(f"  first {n:4d} chars: agree {(head == whole).mean():.4f} "
                  f"(texts longer than that: {long.mean():.3f}, agree on them {(head[long] == whole[long]).mean():.4f})"
                  f"  {len(texts) / cpu:,.0f} texts/s")
    if args.bench:
        files = sorted(args.bench.glob("*.csv"))
        texts = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False, usecols=["text"])["text"]
                           for f in files[:8]], ignore_index=True).head(args.n)
        labels, cpu = run(texts, languages=["en"], bucket=language.BUCKET)
        print(f"\nbench {args.bench} first {len(texts):,} comments: {cpu:.2f} s CPU ({len(texts) / cpu:,.0f} texts/s), "
              f"en {(labels == 'en').mean():.4f}; projected for 1M comments: {cpu * 1_000_000 / len(texts):.0f} s CPU")


if __name__ == "__main__":
    main()
