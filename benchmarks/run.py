"""Benchmark runner: each figure of issue #6 beside its target and a baseline measured in the same run.

Not a test: run it by hand (it takes minutes to an hour, depending on stages and sizes)::

    python benchmarks/run.py                                   # every stage, sizes 10k,100k,1M
    python benchmarks/run.py --stages sample,throughput --repeats 5
    python benchmarks/run.py --stages scale --sizes 100k --json results.json

It prints one table row per figure: the measured value (the median of
``--repeats`` runs, the number of runs in the ``n`` column), the target, a
baseline measured in the same run, their ratio and whether the target is met,
and writes the same rows to ``--json`` (default ``<workdir>/results.json``).
Workflow runs use their own results folder under ``--workdir`` (default a new
``/tmp/bench-threadscope-*`` folder), never ``results/``, and ``--nolock``.

Stages and what is measured
---------------------------
``sample``
    The real workflow on the embedded sample thread: a copy of
    ``config/config.yaml`` with ``results`` in the work folder; wall time of a
    cold ``snakemake --cores 2`` to a built book (results folder emptied
    before each run) and of a no-op rerun. Baselines: the same number of jobs
    in a minimal Snakefile whose scripts only ``import pandas`` (the floor of
    starting one Python job per rule) for the cold run; ``snakemake`` on a
    one-rule Snakefile whose output exists, for the no-op.
``scale``
    For each size: a corpus from ``generate_corpus.py`` (``N`` comments in
    ``N / 100`` threads, seed 1; generated once and reused when present), then
    ``snakemake --cores 2 --omit-from book`` (ingest through figures, tables
    and the ConvoKit export; not the book build). Wall time, and peak memory
    three ways: ``tree``, the largest sum of proportional set sizes (PSS, from
    ``psutil``) over the whole Snakemake process tree, sampled every 0.2 s:
    what the machine must hold at once, a page shared by several processes
    counted once (the target is judged on it); ``sum of RSS``, the same sum of
    resident sizes, which counts a shared page once per process (the ingest's
    forked mention search shares its parent's pages); and ``largest job``, the
    largest peak RSS of one job (its usage record, ``max_rss``). Baseline:
    reading every input CSV once with ``pandas.read_csv``.
``throughput``
    In this machine's one process (a child of the runner): the
    tokenize-and-frame pass, ``token_table`` (Punkt sentences, words
    with offsets, MWEs, stopwords) then ``score_frames`` (the project's frame
    dictionaries), on documents already in memory, against a bare scan of the
    same texts: ``[m.span() for m in pattern.finditer(text)]`` with the
    tokenizer's own compiled word pattern (NLTK's TweetTokenizer pattern, the
    ``regex`` engine). Both in word tokens per second of CPU time (wall time
    is printed too). Two text sets: every real text of the pool once (no
    repetition) and 50,000 comments resampled as the generator does.
``leave_out``
    ``analysis.polarization.leave_out_partisanship`` on 100,000 authors x
    50,000 terms (the corpus of ``bench_leave_out.py``); baseline
    ``counts.sum(axis=0)`` of the same matrix.
``bootstrap``
    ``analysis.stats.cluster_bootstrap_ratio``, 1,000 replicates, two
    quantities, over 1,000,000 comments each its own cluster (the hardest
    case: one million clusters); baseline: drawing the same 1,000 x 1,000,000
    resampling indices alone.
``incremental``
    A 1,000-thread corpus (100,000 comments), one thread per file, 20 shards,
    ``shard_by: file`` and a frozen Punkt model (``tokenize.punkt_model``,
    trained beforehand on the held-in texts; otherwise retraining Punkt on
    the grown corpus would retokenize every shard): cold run to the book of
    all but the last file, then the last file added and the workflow rerun;
    the rerun as a share of the cold time (target 15 %), wall and CPU. Then
    the floor of any rerun, printed beside it: ``--forcerun figures`` (Snakemake's
    own start and end, the figures and the book, no aggregate) plus the new
    shard's ``ingest_shard``, ``shard`` and ``annotate`` jobs (their wall time
    in the rerun, from their usage records), as a share of the cold time.

Per-rule figures (slowest rules, CPU and largest job by rule) are printed
under the table from the usage records every job writes when it exits
(``analysis.io.write_usage``: ``<results>/benchmarks/<rule>[/<wildcards>].tsv``,
wall seconds, peak RSS and CPU from the kernel's accounting); a workflow
whose jobs write none gets a note instead.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

import generate_corpus  # noqa: E402

from analysis.io import USAGE_COLUMNS  # noqa: E402

STAGES = ("sample", "scale", "throughput", "leave_out", "bootstrap", "incremental")
TARGETS = {
    "sample_cold_s": 20.0,
    "sample_noop_s": 2.0,
    "scale_1M_s": 120.0,
    "scale_1M_gb": 3.0,
    "throughput_ratio": 1 / 3,
    "leave_out_s": 10.0,
    "bootstrap_s": 30.0,
    "incremental_share": 0.15,
}


# ------------------------------------------------------------------ results


class Table:
    """Rows of the results table; printed and written to JSON."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.notes: list[str] = []

    def add(self, stage: str, measure: str, value: float | None, unit: str, *, target: float | None = None,
            higher_is_better: bool = False, baseline: float | None = None, baseline_what: str = "", n: int = 1,
            ratio: float | None = None, note: str = "", target_on_ratio: bool = False) -> dict:
        if ratio is None and value is not None and baseline:
            ratio = value / baseline
        met = None
        judged = ratio if target_on_ratio else value
        if target is not None and judged is not None:
            met = judged >= target if higher_is_better else judged <= target
        row = {"stage": stage, "measure": measure, "value": value, "unit": unit, "target": target,
               "target_is_minimum": higher_is_better, "target_on_ratio": target_on_ratio, "baseline": baseline,
               "baseline_what": baseline_what, "ratio": ratio, "n": n, "pass": met, "note": note}
        self.rows.append(row)
        print(_format_row(row), flush=True)
        return row

    def print(self) -> None:
        print()
        print(_HEADER)
        print("-" * len(_HEADER))
        for row in self.rows:
            print(_format_row(row))
        for note in self.notes:
            print(note)


_HEADER = (f"{'stage':12s} {'measure':44s} {'value':>12s} {'target':>10s} {'baseline':>12s} {'ratio':>8s} "
           f"{'n':>2s}  {'pass':4s}  baseline is")


def _num(x: float | None, unit: str = "") -> str:
    if x is None:
        return "-"
    if unit == "%":
        return f"{100 * x:.1f} %"
    if abs(x) >= 1e5:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def _format_row(r: dict) -> str:
    unit = r["unit"]
    value = _num(r["value"], unit) + ("" if unit == "%" else f" {unit}" if unit else "")
    if r["target"] is None:
        target = "-"
    elif r.get("target_on_ratio"):
        target = (">= " if r["target_is_minimum"] else "<= ") + f"{r['target']:.2f}x"
    else:
        target = (">= " if r["target_is_minimum"] else "<= ") + _num(r["target"], unit)
    base = _num(r["baseline"], unit)
    ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}x"
    ok = {True: "PASS", False: "FAIL", None: "-"}[r["pass"]]
    line = (f"{r['stage']:12s} {r['measure'][:44]:44s} {value:>12s} {target:>10s} {base:>12s} {ratio:>8s} "
            f"{r['n']:>2d}  {ok:4s}  {r['baseline_what']}")
    return line + (f"  [{r['note']}]" if r["note"] else "")


# ------------------------------------------------------------------ processes


def snakemake_exe() -> str:
    here = shutil.which("snakemake", path=str(Path(sys.executable).parent))
    return here or shutil.which("snakemake") or "snakemake"


def _tree(pid: int) -> list[psutil.Process]:
    """Process ``pid`` and its descendants (none if it is gone)."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_memory(pid: int) -> tuple[int, int | None]:
    """Resident and proportional set sizes (bytes), each summed over process ``pid`` and its descendants.

    A page that several processes share counts once per process in the RSS sum and once in all in the PSS sum
    (what the machine must hold). The PSS sum is None where the kernel reports no PSS. A process that exits
    while it is read is left out.
    """
    rss, pss = 0, 0
    for proc in _tree(pid):
        try:
            info = proc.memory_full_info()
        except psutil.Error:
            continue
        rss += info.rss
        pss = pss + info.pss if pss is not None and hasattr(info, "pss") else None
    return rss, pss


def stop_tree(pid: int, *, grace: float = 10.0) -> None:
    """SIGTERM to process ``pid`` and its descendants; SIGKILL to those still alive after ``grace`` seconds."""
    procs = _tree(pid)
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.terminate()
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()


def run_measured(cmd: list[str], *, log: Path, cwd: Path = ROOT, env: dict | None = None,
                 mem_limit: float | None = None, interval: float = 0.2) -> dict:
    """Run ``cmd``: wall time, CPU time, and the peak memory of its process tree (``tree_memory``, sampled).

    The tree is sampled every ``interval`` seconds: ``tree_rss`` and ``tree_pss`` are the largest sums seen
    (``tree_pss`` None without PSS). ``cpu`` is the CPU time of every process the command waited for
    (``RUSAGE_CHILDREN``). Per-job figures come from the jobs' usage records (``read_benchmarks``).

    With ``mem_limit`` (bytes), a run whose tree holds more than that (PSS, else RSS) is stopped (``stop_tree``)
    and reported with ``stopped`` set, instead of endangering a shared machine; any other failure raises.
    """
    usage0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_rss, peak_pss, stopped = 0, 0, None
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
        while proc.poll() is None:
            rss, pss = tree_memory(proc.pid)
            peak_rss = max(peak_rss, rss)
            peak_pss = max(peak_pss, pss) if peak_pss is not None and pss is not None else None
            held = rss if pss is None else pss
            if mem_limit and held > mem_limit and stopped is None:
                stopped = f"stopped at {held / 1e9:.1f} GB (limit {mem_limit / 1e9:.0f} GB)"
                stop_tree(proc.pid)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(interval)
    wall = time.perf_counter() - start
    usage1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (usage1.ru_utime + usage1.ru_stime) - (usage0.ru_utime + usage0.ru_stime)
    if proc.returncode != 0 and stopped is None:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(cmd)} failed (exit {proc.returncode}); end of {log}:\n{tail}")
    return {"wall": wall, "cpu": cpu, "tree_rss": peak_rss, "tree_pss": peak_pss or None, "stopped": stopped}


# ------------------------------------------------------------------ the jobs' usage records

#: The columns of a job's usage record (``analysis.io.write_usage``: seconds, MiB, CPU seconds).
BENCHMARK_COLUMNS = USAGE_COLUMNS


def read_benchmarks(results: Path, *, since: float | None = None) -> pd.DataFrame:
    """One row per job from the usage records under ``<results>/benchmarks/`` (``analysis.io.write_usage``).

    A rule's file is ``<rule>.tsv``, or ``<rule>/<wildcard values>.tsv`` for a rule with wildcards: ``rule`` is
    the first part of the path below ``benchmarks/``, ``job`` the path without ``.tsv``. The other columns are
    ``s`` (wall seconds), ``max_rss`` (peak resident MiB of the job or its largest child) and ``cpu_time``
    (seconds, the job and its children). With ``since`` (a ``time.time()``), only the files written since then:
    the jobs of the last run when an earlier run's files are still there. No files: an empty table with these
    columns.
    """
    folder = results / "benchmarks"
    frames = []
    for path in sorted(folder.glob("**/*.tsv")):
        if since is not None and path.stat().st_mtime < since:
            continue
        job = path.relative_to(folder).with_suffix("")
        frame = pd.read_csv(path, sep="\t")
        frames.append(frame.assign(rule=job.parts[0], job=job.as_posix()))
    if not frames:
        return pd.DataFrame(columns=["rule", "job", *BENCHMARK_COLUMNS])
    return pd.concat(frames, ignore_index=True)[["rule", "job", *BENCHMARK_COLUMNS]]


def by_rule(jobs: pd.DataFrame) -> pd.DataFrame:
    """Per rule: jobs, summed and longest wall s, summed CPU s, the largest job's peak RSS (MiB); slowest first."""
    return (jobs.astype({"s": float, "cpu_time": float, "max_rss": float})
            .groupby("rule").agg(jobs=("s", "size"), s=("s", "sum"), longest=("s", "max"), cpu=("cpu_time", "sum"),
                                 max_rss=("max_rss", "max"))
            .sort_values(["s", "jobs"], ascending=False))


def rule_notes(label: str, jobs: pd.DataFrame, *, top: int = 8) -> list[str]:
    """The lines printed under the table for one run's jobs: slowest rules, CPU and largest job by rule."""
    if jobs.empty:
        return [f"{label}: no per-rule figures (no usage records under <results>/benchmarks/: "
                "the workflow's jobs write none)"]
    rules = by_rule(jobs)
    slow = ", ".join(f"{r.Index} {r.s:.1f}/{r.jobs}/{r.longest:.1f}" for r in rules.head(top).itertuples())
    cpu = ", ".join(f"{r.Index} {r.cpu:.1f}" for r in rules.sort_values("cpu", ascending=False).head(top).itertuples())
    mem = ", ".join(f"{r.Index} {r.max_rss * 2**20 / 1e9:.2f}"
                    for r in rules.sort_values("max_rss", ascending=False).head(top).itertuples())
    return [f"{label}, slowest rules (summed job s / jobs / longest job s): {slow}",
            f"{label}, CPU by rule (s): {cpu}",
            f"{label}, largest job by rule (peak RSS, GB): {mem}"]


# ------------------------------------------------------------------ helpers


def write_config(path: Path, results: Path, extra: str = "") -> Path:
    path.write_text(f"results: {json.dumps(str(results))}\n{extra}", encoding="utf-8")
    return path


def snakemake_cmd(config: Path, *extra: str) -> list[str]:
    return [snakemake_exe(), "--cores", "2", "--configfile", str(config), "--nolock", *extra]


def median(values: list[float]) -> float:
    return statistics.median(values)


def child(stage: str, args: argparse.Namespace) -> dict:
    """Run an in-process stage in a fresh Python process (its memory is its own); its JSON result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", stage, "--repeats", str(args.repeats)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"stage {stage} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ stage: sample


FLOOR_SNAKEFILE = """\
N = {n}
rule all:
    input: expand("out/{{i}}.txt", i=range(N))
rule job:
    output: "out/{{i}}.txt"
    script: "job.py"
"""
FLOOR_SCRIPT = "import pandas\nopen(snakemake.output[0], 'w').close()\n"
NOOP_SNAKEFILE = 'rule all:\n    input: "done.txt"\nrule make:\n    output: "done.txt"\n    shell: "touch {output}"\n'


def stage_sample(table: Table, work: Path, args) -> None:
    folder = work / "sample"
    results = folder / "results"
    folder.mkdir(parents=True, exist_ok=True)
    config = write_config(folder / "config.yaml", results)
    cold, noop, jobs = [], [], None
    for r in range(args.repeats):
        shutil.rmtree(results, ignore_errors=True)
        cold.append(run_measured(snakemake_cmd(config), log=folder / f"cold-{r}.log"))
        jobs = read_benchmarks(results) if jobs is None else jobs
        noop.append(run_measured(snakemake_cmd(config), log=folder / f"noop-{r}.log"))
    # baselines: as many jobs that only import pandas (counted from the usage records); a one-rule no-op
    n_jobs, floor = len(jobs), []
    for r in range(args.repeats if n_jobs else 0):
        shutil.rmtree(folder / "floor", ignore_errors=True)
        (folder / "floor").mkdir()
        (folder / "floor" / "Snakefile").write_text(FLOOR_SNAKEFILE.format(n=n_jobs), encoding="utf-8")
        (folder / "floor" / "job.py").write_text(FLOOR_SCRIPT, encoding="utf-8")
        floor.append(run_measured([snakemake_exe(), "--cores", "2", "--nolock"], cwd=folder / "floor",
                                  log=folder / f"floor-{r}.log"))
    trivial = folder / "noop-floor"
    shutil.rmtree(trivial, ignore_errors=True)
    trivial.mkdir()
    (trivial / "Snakefile").write_text(NOOP_SNAKEFILE, encoding="utf-8")
    noop_floor = [run_measured([snakemake_exe(), "--cores", "1", "--nolock"], cwd=trivial,
                               log=folder / f"noop-floor-{r}.log") for r in range(args.repeats + 1)][1:]
    cpu = f"CPU {median([m['cpu'] for m in cold]):.1f} s"
    if floor:
        table.add("sample", f"cold run to a built book ({n_jobs} jobs)", median([m["wall"] for m in cold]), "s",
                  target=TARGETS["sample_cold_s"], baseline=median([m["wall"] for m in floor]),
                  baseline_what=f"{n_jobs} jobs that only import pandas", n=len(cold),
                  note=f"{cpu} (baseline {median([m['cpu'] for m in floor]):.1f} s)")
    else:
        table.add("sample", "cold run to a built book", median([m["wall"] for m in cold]), "s",
                  target=TARGETS["sample_cold_s"], n=len(cold), note=f"{cpu}; no baseline: jobs not counted")
    table.add("sample", "no-op rerun", median([m["wall"] for m in noop]), "s", target=TARGETS["sample_noop_s"],
              baseline=median([m["wall"] for m in noop_floor]), baseline_what="no-op of a one-rule Snakefile",
              n=len(noop), note=f"CPU {median([m['cpu'] for m in noop]):.2f} s "
                                f"(baseline {median([m['cpu'] for m in noop_floor]):.2f} s)")
    table.notes += rule_notes("sample, first cold run", jobs)


# ------------------------------------------------------------------ stage: scale


def corpus(size: int, *, work: Path, seed: int = 1, **options) -> Path:
    """A generated corpus folder under ``work`` (made once; kept while its manifest matches)."""
    threads = options.pop("threads", max(1, size // 100))
    name = f"corpus-{size}-{threads}-{seed}" + "".join(f"-{k}{v}" for k, v in sorted(options.items()))
    out = work / name
    manifest = out / "manifest.json"
    if not manifest.is_file():
        generate_corpus.generate(n_comments=size, n_threads=threads, seed=seed, out=out, **options)
    return out


def read_csv_baseline(folder: Path) -> float:
    import pandas as pd

    start = time.perf_counter()
    for path in sorted((folder / "comments").glob("*.csv")):
        pd.read_csv(path, dtype=str, keep_default_na=False)
    return time.perf_counter() - start


def stage_scale(table: Table, work: Path, args) -> None:
    for label in args.sizes:
        size = generate_corpus.parse_count(label)
        folder = corpus(size, work=work)
        config = folder / "config.yaml"
        results = folder / "results"
        runs, jobs, stopped = [], None, None
        for r in range(args.scale_repeats):
            shutil.rmtree(results, ignore_errors=True)
            m = run_measured(snakemake_cmd(config, "--omit-from", "book"), log=folder / f"run-{r}.log",
                             mem_limit=args.mem_limit_gb * 1e9)
            jobs = read_benchmarks(results) if jobs is None or m["stopped"] else jobs
            if m["stopped"]:
                stopped = m["stopped"]
                break
            runs.append(m)
        big = size >= 1_000_000
        target_s, target_gb = (TARGETS["scale_1M_s"], TARGETS["scale_1M_gb"]) if big else (None, None)
        table.notes += rule_notes(f"scale {label}" + (" (stopped)" if stopped else ""), jobs, top=10)
        if stopped:
            table.add("scale", f"{label}: ingest through figures", None, "s", target=target_s, n=0,
                      note=f"not finished: {stopped}; {len(jobs)} jobs done")
            table.rows[-1]["pass"] = False
            table.add("scale", f"{label}: peak memory, whole process tree", args.mem_limit_gb, "GB",
                      target=target_gb, n=0, note="more than this: run stopped")
            table.rows[-1]["pass"] = False
        else:
            base = median([read_csv_baseline(folder) for _ in range(max(1, min(args.repeats, 3)))])
            table.add("scale", f"{label}: ingest through figures", median([m["wall"] for m in runs]), "s",
                      target=target_s, baseline=base, baseline_what="pandas.read_csv of the input once", n=len(runs),
                      note=f"CPU {median([m['cpu'] for m in runs]):.0f} s")
            # The target is judged on what the machine must hold: proportional set sizes, in which a page that
            # forked processes share is counted once (the ingest searches mentions in forked processes). The sum
            # of resident sizes counts such a page once per process; it is printed too.
            rss, pss = [m["tree_rss"] for m in runs], [m["tree_pss"] for m in runs]
            if None not in pss:
                table.add("scale", f"{label}: peak memory, whole process tree", median(pss) / 1e9, "GB",
                          target=target_gb, n=len(pss),
                          note="sum of PSS (shared pages counted once) over Snakemake and its jobs, "
                               "sampled every 0.2 s")
                table.add("scale", f"{label}: peak memory, sum of RSS", median(rss) / 1e9, "GB", n=len(rss),
                          note="sum of RSS: a page shared by forked processes counted once per process")
            else:  # no PSS on this kernel: resident sizes, an upper bound
                table.add("scale", f"{label}: peak memory, whole process tree", median(rss) / 1e9, "GB",
                          target=target_gb, n=len(rss),
                          note="sum of RSS over Snakemake and its jobs (an upper bound: no PSS on this kernel)")
            if not jobs.empty:
                big_job = jobs.loc[jobs["max_rss"].astype(float).idxmax()]
                table.add("scale", f"{label}: peak memory, largest job", big_job["max_rss"] * 2**20 / 1e9, "GB", n=1,
                          note=f"{big_job['job']}: peak RSS of its usage record (the job or its largest child)")
        if not args.keep:
            shutil.rmtree(results, ignore_errors=True)


# ------------------------------------------------------------------ stage: throughput (child process)


def measure_throughput(repeats: int) -> dict:
    import numpy as np

    from analysis.framing import score_frames
    from analysis.lexicons import load_lexicon
    from analysis.matcher import TokenIndex
    from analysis.punkt import punkt_from_params, train_punkt
    from analysis.tokenization import _WORD_RE, multiword_tuples, stopword_set, token_table

    texts, _, _ = generate_corpus.read_pool()
    rng = np.random.default_rng(1)
    sets = {"real texts, each once": texts,
            "50,000 resampled comments": [texts[i] for i in rng.integers(0, len(texts), 50_000)]}
    lexicons = [load_lexicon(ROOT / p) for p in generate_corpus.LEXICONS]
    mwes = multiword_tuples(t for lx in lexicons for t in lx.terms())
    params = train_punkt(texts)
    stop = stopword_set("english")
    out = {}
    for name, docs_text in sets.items():
        n = len(docs_text)
        docs = pd.DataFrame({"thread_id": [f"t{i // 100:06d}" for i in range(n)],
                             "comment_id": [f"c{i:07d}" for i in range(n)], "doc": "comment", "text": docs_text})
        comments = docs.drop(columns="doc").assign(
            parent_id="", depth=1, position=1, author_id="", created_at=pd.Timestamp("2020-01-01", tz="UTC"),
            source="bench", file="", record=1, rule="record", is_placeholder=False, shard=0)
        threads = pd.DataFrame({"thread_id": sorted(set(docs["thread_id"])), "source": "bench", "title": "",
                                "article_text": "", "site_tags": "", "n_comments": 0, "shard": 0})

        def scan(docs_text: list[str]) -> int:
            return sum(len([m.span() for m in _WORD_RE.finditer(t)]) for t in docs_text)

        def passes(docs: pd.DataFrame, comments: pd.DataFrame, threads: pd.DataFrame) -> int:
            tokens = token_table(docs, punkt=punkt_from_params(params), mwes=mwes, stopwords=stop)
            score_frames(TokenIndex(tokens), comments, threads, lexicons)
            return tokens.num_rows

        rows = {}
        for what, fn in (("scan", partial(scan, docs_text)), ("pass", partial(passes, docs, comments, threads))):
            cpu, wall = [], []
            for _ in range(repeats):
                c0, w0 = time.process_time(), time.perf_counter()
                count = fn()
                cpu.append(time.process_time() - c0)
                wall.append(time.perf_counter() - w0)
            rows[what] = {"count": count, "cpu": median(cpu), "wall": median(wall)}
        out[name] = rows
    out["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return out


def stage_throughput(table: Table, work: Path, args) -> None:
    res = child("throughput", args)
    for name, rows in res.items():
        if name == "peak_rss":
            continue
        scan, pas = rows["scan"], rows["pass"]
        scan_rate = scan["count"] / scan["cpu"]
        pass_rate = pas["count"] / pas["cpu"]  # word tokens after MWE joining (a few fewer than the scan's)
        table.add("throughput", f"tokenize+frame, {name}", pass_rate, "tok/s", baseline=scan_rate,
                  baseline_what="bare regex scan, same texts (CPU time)", target=TARGETS["throughput_ratio"],
                  higher_is_better=True, target_on_ratio=True, n=args.repeats,
                  note=f"{pas['count']:,} tokens; wall {pas['wall']:.2f} s vs scan {scan['wall']:.2f} s")
    table.notes.append("throughput: the target is on the ratio to the scan; "
                       f"child peak RSS {res['peak_rss'] / 1e9:.2f} GB")


# ------------------------------------------------------------------ stage: leave-out (child process)


def measure_leave_out(repeats: int) -> dict:
    import bench_leave_out as blo

    from analysis.polarization import leave_out_partisanship

    counts, groups = blo.make_corpus()
    leave_out_partisanship(counts, groups)  # warm-up
    fast = blo.median_time(lambda: leave_out_partisanship(counts, groups), runs=repeats)
    base = blo.median_time(lambda: counts.sum(axis=0), runs=repeats)
    return {"fast": fast, "base": base, "nnz": int(counts.nnz)}


def stage_leave_out(table: Table, work: Path, args) -> None:
    res = child("leave_out", args)
    table.add("leave_out", "100,000 authors x 50,000 terms", res["fast"], "s", target=TARGETS["leave_out_s"],
              baseline=res["base"], baseline_what="counts.sum(axis=0), same matrix", n=args.repeats,
              note=f"{res['nnz']:,} non-zeros")


# ------------------------------------------------------------------ stage: bootstrap (child process)


def measure_bootstrap(repeats: int) -> dict:
    import numpy as np

    from analysis.stats import cluster_bootstrap_ratio

    n, n_boot = 1_000_000, 1000
    rng = np.random.default_rng(0)
    tokens = rng.poisson(70, n).astype(np.float64)
    hits = np.column_stack([rng.binomial(tokens.astype(np.int64), 0.01), rng.binomial(tokens.astype(np.int64), 0.002)])
    den = np.column_stack([tokens, tokens])

    def boot() -> None:
        cluster_bootstrap_ratio(hits, den, n_boot=n_boot, seed=1, scale=1000.0)

    def draws() -> None:
        g = np.random.default_rng(1)
        for _ in range(n_boot):
            g.integers(0, n, size=n, dtype=np.int32)

    out = {}
    for what, fn in (("boot", boot), ("draws", draws)):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        out[what] = median(times)
    out["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return out


def stage_bootstrap(table: Table, work: Path, args) -> None:
    res = child("bootstrap", args)
    table.add("bootstrap", "1,000 replicates, 1,000,000 comments", res["boot"], "s", target=TARGETS["bootstrap_s"],
              baseline=res["draws"], baseline_what="the 1,000 x 1,000,000 resampling draws alone", n=args.repeats,
              note=f"each comment its own cluster; child peak RSS {res['peak_rss'] / 1e9:.2f} GB")


# ------------------------------------------------------------------ stage: incremental


#: The jobs that turn one added file into its shard's tables, in order (one of each reruns).
SHARD_CHAIN = ("ingest_shard", "shard", "annotate")


def stage_incremental(table: Table, work: Path, args) -> None:
    import csv

    import yaml

    from analysis.punkt import train_punkt

    folder = corpus(100_000, work=work, threads=1000, threads_per_file=1, shard_by_file=True, n_shards=20)
    files = sorted((folder / "comments").glob("part-*.csv"))
    held = folder / "held-out.csv"
    if held.exists():
        held.replace(files[-1])
    cfg = yaml.safe_load((folder / "config.yaml").read_text(encoding="utf-8"))
    # a frozen sentence model, so that a new thread does not retrain Punkt and retokenize every shard
    model = folder / "punkt-model.json"
    if not model.exists():
        texts = []
        for path in files[:-1]:
            with path.open(encoding="utf-8", newline="") as f:
                texts += [row["text"] for row in csv.DictReader(f)]
            if len(texts) >= 20_000:
                break
        model.write_text(json.dumps(train_punkt(texts[:20_000]), sort_keys=True), encoding="utf-8")
    cfg.setdefault("tokenize", {})["punkt_model"] = str(model)
    config = folder / "config-incremental.yaml"
    config.write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    results = Path(cfg["results"])
    colds, reruns, redraws, chains, cold_jobs, rerun_jobs = [], [], [], [], None, None
    for r in range(args.scale_repeats):
        shutil.rmtree(results, ignore_errors=True)
        files[-1].replace(held)
        colds.append(run_measured(snakemake_cmd(config), log=folder / f"cold-{r}.log"))
        cold_jobs = read_benchmarks(results) if cold_jobs is None else cold_jobs
        held.replace(files[-1])
        since = time.time()
        reruns.append(run_measured(snakemake_cmd(config), log=folder / f"add-{r}.log"))
        jobs = read_benchmarks(results, since=since)  # the jobs the rerun ran
        rerun_jobs = jobs if rerun_jobs is None else rerun_jobs
        chains.append(float(jobs.loc[jobs["rule"].isin(SHARD_CHAIN), "s"].sum()))
        # the part of any rerun that no aggregate can save: Snakemake's own start and end, the figures, the book
        redraws.append(run_measured(snakemake_cmd(config, "--forcerun", "figures"), log=folder / f"redraw-{r}.log"))
    cold, rerun = median([m["wall"] for m in colds]), median([m["wall"] for m in reruns])
    cold_cpu, rerun_cpu = median([m["cpu"] for m in colds]), median([m["cpu"] for m in reruns])
    table.add("incremental", "add 1 thread to 1,000: rerun / cold", rerun / cold, "%",
              target=TARGETS["incremental_share"], baseline_what=f"cold run {cold:.0f} s, rerun {rerun:.0f} s (wall)",
              n=len(colds), ratio=rerun / cold,
              note=f"CPU: rerun {rerun_cpu:.0f} s / cold {cold_cpu:.0f} s = {rerun_cpu / cold_cpu:.0%}; "
                   "20 shards, shard_by: file; frozen Punkt model")
    redraw, chain = median([m["wall"] for m in redraws]), median(chains)
    counted = (f"the new shard's {'+'.join(SHARD_CHAIN)} {chain:.1f} s (usage records)" if not rerun_jobs.empty
               else "the new shard's jobs not counted (no usage records)")
    table.add("incremental", "floor: figures+book redraw + new shard / cold", (redraw + chain) / cold, "%",
              baseline_what=f"snakemake --forcerun figures {redraw:.1f} s + {counted}, cold {cold:.0f} s",
              n=len(redraws), note="what a rerun costs before any aggregate reruns")
    if not rerun_jobs.empty:
        ran, had = rerun_jobs["rule"].value_counts(), cold_jobs["rule"].value_counts()
        table.notes.append("incremental, rules rerun after adding a thread (jobs rerun/jobs in the cold run): "
                           + ", ".join(f"{k} {n}/{had.get(k, 0)}" for k, n in sorted(ran.items())))
    table.notes += rule_notes("incremental, the first rerun", rerun_jobs)
    if not args.keep:
        shutil.rmtree(results, ignore_errors=True)


# ------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stages", default=",".join(STAGES), help=f"comma-separated, from {','.join(STAGES)}")
    ap.add_argument("--sizes", default="10k,100k,1M", help="corpus sizes of the scale stage (default 10k,100k,1M)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per figure; the median is reported (default 3)")
    ap.add_argument("--scale-repeats", type=int, default=1,
                    help="runs per size in the scale and incremental stages (default 1)")
    ap.add_argument("--workdir", type=Path, default=None,
                    help="where corpora and results go (default: a new /tmp folder)")
    ap.add_argument("--json", type=Path, default=None, help="write the rows here (default <workdir>/results.json)")
    ap.add_argument("--keep", action="store_true", help="keep the workflow results of the scale and incremental stages")
    ap.add_argument("--mem-limit-gb", type=float, default=14.0,
                    help="stop a scale run whose process tree holds more than this (default 14; the machine is shared)")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        children = {"throughput": measure_throughput, "leave_out": measure_leave_out, "bootstrap": measure_bootstrap}
        print(json.dumps(children[args.child](args.repeats)))
        return
    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = sorted(set(stages) - set(STAGES))
    if unknown:
        ap.error(f"unknown stage(s) {unknown}; expected some of {list(STAGES)}")
    args.sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for s in args.sizes:
        generate_corpus.parse_count(s)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-threadscope-", dir="/tmp"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"work folder {work}; {os.cpu_count()} cores; stages {', '.join(stages)}", flush=True)
    print(_HEADER, flush=True)
    table = Table()
    funcs = {"sample": stage_sample, "scale": stage_scale, "throughput": stage_throughput, "leave_out": stage_leave_out,
             "bootstrap": stage_bootstrap, "incremental": stage_incremental}
    for stage in STAGES:
        if stage in stages:
            try:
                funcs[stage](table, work, args)
            except Exception as exc:  # one broken stage must not hide the others' figures
                message = " ".join(str(exc).split())[:300]
                table.add(stage, "stage failed", None, "", n=0, note=f"{type(exc).__name__}: {message}")
                table.rows[-1]["pass"] = False
    table.print()
    out = args.json or work / "results.json"
    out.write_text(json.dumps({"rows": table.rows, "notes": table.notes, "workdir": str(work)}, indent=1) + "\n",
                   encoding="utf-8")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
