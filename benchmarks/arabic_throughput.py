"""Arabic tokenize-and-frame throughput against a bare regular-expression scan of the same texts (issue 18).

Not a test: a measurement. The target (issue 18, as issue 6's for English
in ``benchmarks/run.py``, stage ``throughput``): the tokenize-and-frame pass
on Arabic text runs at no less than a third of the word-token rate of a bare
scan, ``[m.span() for m in pattern.finditer(text)]`` with the tokenizer's own
compiled word pattern (NLTK's TweetTokenizer pattern, the ``regex`` engine).

The texts are the real Arabic comments of ``../shared/data/arabic-comments``
(``mpold.csv`` and ``youtube_replies.csv``, read at run time; nothing is
copied), every one as a document with ``language: ar``. The pass is what rule
``annotate`` does for them: :func:`analysis.tokenization.token_table`
(Arabic normalisation of the norm, the Arabic sentence rule, stopwords per
language with ``auto``) and :func:`analysis.matcher.match_frames` with
``language="ar"`` (normalised terms, clitic prefixes) for each Arabic
dictionary, on one :class:`analysis.matcher.TokenIndex`. The dictionaries are
the project's Arabic ones found in ``data/lexicons`` (a YAML file with
``language: ar``); without any, a small built-in test dictionary of the
Syria frames' kind of terms (multi-word, wildcard and one-word terms). Rates
are word tokens per second of CPU time (median of ``--repeats`` runs); wall
time is printed too. Set ``--copies`` to repeat the corpus (each text
``k`` times, made distinct by a suffix) for a longer measurement::

    .venv/bin/python benchmarks/arabic_throughput.py
    .venv/bin/python benchmarks/arabic_throughput.py --repeats 5 --copies 3 --json arabic.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.lexicons import load_lexicon  # noqa: E402
from analysis.matcher import TokenIndex, match_frames  # noqa: E402
from analysis.punkt import punkt_from_params, train_punkt  # noqa: E402
from analysis.tokenization import _WORD_RE, multiword_tuples, stopword_set, token_table  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "arabic-comments"
TARGET = 1 / 3

# used only when data/lexicons holds no Arabic dictionary (a measurement aid, not a research instrument)
_FALLBACK = {
    "name": "arabic_benchmark_terms", "version": "0", "language": "ar",
    "description": "Terms of the kinds the Syria frames use, to time matching; not validated.",
    "frames": {
        "civil_war": {"label": "Civil war", "description": "timing only",
                      "terms": ["الحرب الأهلية", "حرب أهلية", "اقتتال*"]},
        "terrorism": {"label": "Terrorism", "description": "timing only",
                      "terms": ["الإرهاب", "إرهابي*", "داعش", "الحرب على الإرهاب"]},
        "revolution": {"label": "Revolution", "description": "timing only",
                       "terms": ["ثورة", "ثوار", "الثورة السورية"]},
        "foreign_intervention": {"label": "Foreign intervention", "description": "timing only",
                                 "terms": ["تدخل*", "روسيا", "أمريكا", "إيران"]},
    },
}


def texts(copies: int) -> list[str]:
    frames = [pd.read_csv(DATA / name, dtype=str, keep_default_na=False)["text"] for name in
              ("mpold.csv", "youtube_replies.csv")]
    base = [t for t in pd.concat(frames, ignore_index=True).tolist() if t.strip()]
    return [t if k == 0 else f"{t} {k}" for k in range(copies) for t in base]


def arabic_lexicons(folder: Path) -> list:
    found = []
    for path in sorted((ROOT / "data" / "lexicons").glob("*.yaml")):
        head = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(head, dict) and head.get("language") == "ar":
            found.append(load_lexicon(path))
    if not found:
        path = folder / "arabic_benchmark_terms.yaml"
        path.write_text(yaml.safe_dump(_FALLBACK, allow_unicode=True), encoding="utf-8")
        found.append(load_lexicon(path))
    return found


def measure(repeats: int, copies: int) -> dict:
    docs_text = texts(copies)
    n = len(docs_text)
    docs = pd.DataFrame({"thread_id": [f"t{i // 100:06d}" for i in range(n)], "comment_id": [f"c{i:07d}" for i in
                         range(n)], "doc": "comment", "text": docs_text, "language": "ar"})
    texts_map = {(t, c, "comment"): x for t, c, x in zip(docs["thread_id"], docs["comment_id"], docs["text"])}
    with tempfile.TemporaryDirectory() as tmp:
        lexicons = arabic_lexicons(Path(tmp))
    mwes = multiword_tuples(t for lx in lexicons for t in lx.terms())
    params = train_punkt(docs_text)  # as rule train_punkt would (Arabic documents do not use it: the sentence rule)
    stop = stopword_set("auto")

    def scan() -> int:
        return sum(len([m.span() for m in _WORD_RE.finditer(t)]) for t in docs_text)

    n_matches = 0

    def passes() -> int:
        nonlocal n_matches
        tokens = token_table(docs, punkt=punkt_from_params(params), mwes=mwes, stopwords=stop)
        index = TokenIndex(tokens)
        n_matches = sum(len(match_frames(index, lx, texts=texts_map, language="ar")) for lx in lexicons)
        return tokens.num_rows

    rows = {}
    for what, fn in (("scan", scan), ("pass", passes)):
        cpu, wall = [], []
        for _ in range(repeats):
            c0, w0 = time.process_time(), time.perf_counter()
            count = fn()
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
        rows[what] = {"tokens": count, "cpu_s": median(cpu), "wall_s": median(wall),
                      "tokens_per_cpu_s": count / median(cpu)}
    ratio = rows["pass"]["tokens_per_cpu_s"] / rows["scan"]["tokens_per_cpu_s"]
    return {"documents": n, "characters": sum(map(len, docs_text)), "dictionaries": [lx.name for lx in lexicons],
            "matches": n_matches, "repeats": repeats, **rows, "ratio": ratio, "target_ratio": TARGET,
            "met": ratio >= TARGET}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent (the real Arabic comments are read at run time)")
        return 0
    res = measure(args.repeats, args.copies)
    s, p = res["scan"], res["pass"]
    print(f"{res['documents']:,} Arabic documents, {res['characters']:,} characters; dictionaries "
          f"{', '.join(res['dictionaries'])}; {res['matches']:,} matches")
    print(f"bare regex scan   {s['tokens']:>10,} tokens  {s['tokens_per_cpu_s']:>12,.0f} tok/s CPU  "
          f"(cpu {s['cpu_s']:.2f} s, wall {s['wall_s']:.2f} s)")
    print(f"tokenize+frame    {p['tokens']:>10,} tokens  {p['tokens_per_cpu_s']:>12,.0f} tok/s CPU  "
          f"(cpu {p['cpu_s']:.2f} s, wall {p['wall_s']:.2f} s)")
    print(f"ratio {res['ratio']:.2f} (target >= {TARGET:.2f}): {'met' if res['met'] else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
