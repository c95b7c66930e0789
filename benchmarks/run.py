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
    three ways: ``tree``, the largest sum of proportional set sizes (PSS,
    ``/proc/<pid>/smaps_rollup``) over the whole Snakemake process tree,
    sampled every 0.2 s: what the machine must hold at once, a page shared by
    several processes counted once (the target is judged on it); ``sum of
    RSS``, the same sum of resident sizes, which counts a shared page once per
    process (the ingest's forked mention search shares its parent's pages);
    and ``largest process``, the largest ``ru_maxrss`` of any single process
    (``getrusage(RUSAGE_CHILDREN)``, a per-process maximum). Baseline: reading every input CSV once with
    ``pandas.read_csv``. The slowest rules (summed job time from the
    Snakemake log) are listed under the table.
``throughput``
    In this machine's one process (a child of the runner): the
    tokenize-and-frame pass, ``tokenize_documents`` (Punkt sentences, words
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
    in the rerun, sampled every 0.05 s), as a share of the cold time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

import generate_corpus  # noqa: E402

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

    def skip(self, stage: str, why: str) -> None:
        self.rows.append({"stage": stage, "measure": "skipped", "value": None, "unit": "", "target": None,
                          "target_is_minimum": False, "baseline": None, "baseline_what": "", "ratio": None,
                          "n": 0, "pass": None, "note": why})
        print(f"{stage:12s} skipped: {why}", flush=True)

    def print(self) -> None:
        print()
        print(_HEADER)
        print("-" * len(_HEADER))
        for row in self.rows:
            if row["measure"] == "skipped":
                print(f"{row['stage']:12s} skipped: {row['note']}")
            else:
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


_SCRIPT_RULE = re.compile(r"\.snakemake/scripts/tmp[^/.]*\.(\w+)\.py")


def _pss(pid: int) -> int | None:
    """Proportional set size of a process (bytes): its resident pages, each shared page divided among its sharers.

    None where the kernel has no ``/proc/<pid>/smaps_rollup`` (before Linux 4.14).
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _process_tree(root: int) -> list[tuple[int, int, int | None, str, float]]:
    """``(pid, resident bytes, proportional bytes, rule or command, CPU seconds so far)`` of ``root`` and its descendants, from /proc."""
    children: dict[int, list[int]] = defaultdict(list)
    cpu: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        children[int(fields[1])].append(int(entry))
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    page = os.sysconf("SC_PAGE_SIZE")
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as f:
                rss = int(f.read().split()[1]) * page
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        m = _SCRIPT_RULE.search(cmd)
        name = m.group(1) if m else ("snakemake" if "snakemake" in cmd else " ".join(Path(w).name for w in cmd.split()[:2]))
        out.append((pid, rss, _pss(pid), name, cpu.get(pid, 0.0)))
    return out


def run_measured(cmd: list[str], *, log: Path, cwd: Path = ROOT, env: dict | None = None,
                 mem_limit: float | None = None, interval: float = 0.2) -> dict:
    """Run ``cmd``; wall time, peak RSS of its process tree and per rule (sampled), the largest child ru_maxrss.

    The process tree is sampled every ``interval`` seconds: peak memory, CPU
    by rule, and by rule the wall time its job processes were seen alive
    (``span_by_rule``, summed over jobs; each job's span is short by up to
    one interval).

    With ``mem_limit`` (bytes), a run whose process tree holds more than that
    is stopped (SIGTERM to the tree, then SIGKILL) and reported with
    ``stopped`` set, instead of endangering a shared machine.
    """
    usage0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = usage0.ru_maxrss
    peak, peak_pss = 0, 0
    by_rule: dict[str, int] = defaultdict(int)
    cpu_of: dict[int, tuple[str, float]] = {}
    seen: dict[int, list[float]] = {}  # pid -> [first, last] time a job process was seen
    stopped = None
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak, peak_pss, stopped
            while not done.is_set():
                tree = _process_tree(proc.pid)
                total = sum(t[1] for t in tree)
                peak = max(peak, total)
                pss = [t[2] for t in tree]
                if None not in pss:
                    peak_pss = max(peak_pss, sum(pss))
                now = time.perf_counter() - start
                for pid, rss, _, rule, used in tree:
                    by_rule[rule] = max(by_rule[rule], rss)
                    seen.setdefault(pid, [now, now])[1] = now
                    # an exited job (a zombie until reaped) has no command line: keep the name it had
                    cpu_of[pid] = (cpu_of[pid][0] if pid in cpu_of and not rule else rule, used)
                if mem_limit and total > mem_limit and stopped is None:
                    biggest = max(tree, key=lambda t: t[1])
                    stopped = (f"stopped at {total / 1e9:.1f} GB (limit {mem_limit / 1e9:.0f} GB); "
                               f"largest: {biggest[3]} {biggest[1] / 1e9:.1f} GB")
                    for pid, *_ in tree:
                        try:
                            os.kill(pid, 15)
                        except OSError:
                            pass
                    if not done.wait(10):
                        for pid, *_ in _process_tree(proc.pid):
                            try:
                                os.kill(pid, 9)
                            except OSError:
                                pass
                done.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        rc = proc.wait()
        done.set()
        sampler.join()
    wall = time.perf_counter() - start
    usage1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    after = usage1.ru_maxrss
    cpu = (usage1.ru_utime + usage1.ru_stime) - (usage0.ru_utime + usage0.ru_stime)
    cpu_by_rule: dict[str, float] = defaultdict(float)
    span_by_rule: dict[str, float] = defaultdict(float)
    for pid, (rule, used) in cpu_of.items():
        cpu_by_rule[rule] += used
        first, last = seen[pid]
        span_by_rule[rule] += last - first
    if rc != 0 and stopped is None:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(cmd)} failed (exit {rc}); end of {log}:\n{tail}")
    # ru_maxrss of RUSAGE_CHILDREN is the largest of any waited-for descendant so far (KiB on Linux):
    # it only tells something when this run set a new maximum.
    return {"wall": wall, "cpu": cpu, "tree_rss": peak, "tree_pss": peak_pss or None, "largest_process": after * 1024 if after > before else None,
            "by_rule": dict(by_rule), "cpu_by_rule": dict(cpu_by_rule), "span_by_rule": dict(span_by_rule), "stopped": stopped}


def rule_times(log: Path) -> dict[str, list[float]]:
    """Seconds per job, by rule, from a Snakemake log (its 1-second timestamps)."""
    stamp = re.compile(r"^\[(\w{3} \w{3} +\d+ [\d:]+ \d{4})\]$")
    rule_re = re.compile(r"^(?:local)?rule (\w+):")
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    now = None
    started: dict[str, datetime] = {}
    out: dict[str, list[float]] = defaultdict(list)
    for i, line in enumerate(lines):
        m = stamp.match(line)
        if m:
            now = datetime.strptime(m.group(1), "%a %b %d %H:%M:%S %Y")
            continue
        if now is None:
            continue
        if rule_re.match(line):
            for nxt in lines[i + 1 : i + 8]:
                j = re.match(r"^\s+jobid: (\d+)", nxt)
                if j:
                    started[j.group(1)] = now
                    break
        m = re.match(r"^Finished jobid: (\d+) \(Rule: (\w+)\)", line)
        if m and m.group(1) in started:
            out[m.group(2)].append((now - started[m.group(1)]).total_seconds())
    return out


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
    cold, cold_cpu, noop, noop_cpu, n_jobs, cpu_by_rule = [], [], [], [], 0, {}
    for r in range(args.repeats):
        shutil.rmtree(results, ignore_errors=True)
        m = run_measured(snakemake_cmd(config), log=folder / f"cold-{r}.log")
        cold.append(m["wall"])
        cold_cpu.append(m["cpu"])
        cpu_by_rule = cpu_by_rule or m["cpu_by_rule"]
        n_jobs = sum(len(v) for k, v in rule_times(folder / f"cold-{r}.log").items() if k != "all")
        m = run_measured(snakemake_cmd(config), log=folder / f"noop-{r}.log")
        noop.append(m["wall"])
        noop_cpu.append(m["cpu"])
    # baselines: n_jobs jobs that only import pandas; a one-rule no-op
    floor = folder / "floor"
    floor_cold, floor_cpu = [], []
    for r in range(args.repeats):
        shutil.rmtree(floor, ignore_errors=True)
        floor.mkdir()
        (floor / "Snakefile").write_text(FLOOR_SNAKEFILE.format(n=n_jobs), encoding="utf-8")
        (floor / "job.py").write_text(FLOOR_SCRIPT, encoding="utf-8")
        m = run_measured([snakemake_exe(), "--cores", "2", "--nolock"], cwd=floor, log=folder / f"floor-{r}.log")
        floor_cold.append(m["wall"])
        floor_cpu.append(m["cpu"])
    trivial = folder / "noop-floor"
    shutil.rmtree(trivial, ignore_errors=True)
    trivial.mkdir()
    (trivial / "Snakefile").write_text(NOOP_SNAKEFILE, encoding="utf-8")
    run_measured([snakemake_exe(), "--cores", "1", "--nolock"], cwd=trivial, log=folder / "noop-floor-0.log")
    noop_floor = [run_measured([snakemake_exe(), "--cores", "1", "--nolock"], cwd=trivial,
                               log=folder / f"noop-floor-{r + 1}.log") for r in range(args.repeats)]
    table.add("sample", f"cold run to a built book ({n_jobs} jobs)", median(cold), "s", target=TARGETS["sample_cold_s"],
              baseline=median(floor_cold), baseline_what=f"{n_jobs} jobs that only import pandas", n=len(cold),
              note=f"CPU {median(cold_cpu):.1f} s (baseline {median(floor_cpu):.1f} s)")
    table.add("sample", "no-op rerun", median(noop), "s", target=TARGETS["sample_noop_s"],
              baseline=median([m["wall"] for m in noop_floor]), baseline_what="no-op of a one-rule Snakefile", n=len(noop),
              note=f"CPU {median(noop_cpu):.2f} s (baseline {median([m['cpu'] for m in noop_floor]):.2f} s)")
    slow = sorted(((sum(v), k) for k, v in rule_times(folder / "cold-0.log").items()), reverse=True)[:6]
    table.notes.append("sample, slowest rules of the first cold run (wall s, summed over jobs): "
                       + ", ".join(f"{k} {s:.0f}" for s, k in slow))
    heavy = sorted(((v, k) for k, v in cpu_by_rule.items()), reverse=True)[:8]
    table.notes.append("sample, CPU by rule in the first cold run (s, sampled every 0.2 s): "
                       + ", ".join(f"{k} {v:.1f}" for v, k in heavy))


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
        walls, cpus, trees, trees_pss, largest, by_rule, cpu_by_rule, stopped = [], [], [], [], [], defaultdict(int), {}, None
        for r in range(args.scale_repeats):
            shutil.rmtree(results, ignore_errors=True)
            m = run_measured(snakemake_cmd(config, "--omit-from", "book"), log=folder / f"run-{r}.log",
                             mem_limit=args.mem_limit_gb * 1e9)
            for rule, rss in m["by_rule"].items():
                by_rule[rule] = max(by_rule[rule], rss)
            cpu_by_rule = cpu_by_rule or m["cpu_by_rule"]
            cpus.append(m["cpu"])
            if m["stopped"]:
                stopped = m["stopped"]
                break
            walls.append(m["wall"])
            trees.append(m["tree_rss"])
            if m["tree_pss"]:
                trees_pss.append(m["tree_pss"])
            if m["largest_process"]:
                largest.append(m["largest_process"])
        big = size >= 1_000_000
        mem = sorted(((rss, rule) for rule, rss in by_rule.items()), reverse=True)[:8]
        table.notes.append(f"scale {label}, peak RSS by rule (GB): " + ", ".join(f"{k} {v / 1e9:.2f}" for v, k in mem))
        if stopped:
            heavy = sorted(((v, k) for k, v in cpu_by_rule.items()), reverse=True)[:10]
            table.notes.append(f"scale {label} (stopped), CPU by rule (s, sampled): " + ", ".join(f"{k} {v:.0f}" for v, k in heavy))
            times = rule_times(folder / f"run-{r}.log")
            table.add("scale", f"{label}: ingest through figures", None, "s", target=TARGETS["scale_1M_s"] if big else None,
                      n=0, note=f"not finished: {stopped}; {sum(len(v) for v in times.values())} jobs done")
            table.rows[-1]["pass"] = False
            table.add("scale", f"{label}: peak memory, whole process tree", args.mem_limit_gb, "GB",
                      target=TARGETS["scale_1M_gb"] if big else None, n=0, note="more than this: run stopped")
            table.rows[-1]["pass"] = False
            slow = sorted(((sum(v), k, len(v), max(v)) for k, v in times.items()), reverse=True)[:10]
            table.notes.append(f"scale {label} (stopped), slowest rules so far (summed job s / jobs / longest job s): "
                               + ", ".join(f"{k} {s:.0f}/{n}/{mx:.0f}" for s, k, n, mx in slow))
            if not args.keep:
                shutil.rmtree(results, ignore_errors=True)
            continue
        base = median([read_csv_baseline(folder) for _ in range(max(1, min(args.repeats, 3)))])
        table.add("scale", f"{label}: ingest through figures", median(walls), "s",
                  target=TARGETS["scale_1M_s"] if big else None, baseline=base,
                  baseline_what="pandas.read_csv of the input once", n=len(walls),
                  note=f"CPU {median(cpus):.0f} s")
        # The target is judged on what the machine must hold: proportional set sizes, in which a page that forked
        # processes share is counted once (the ingest searches mentions in forked processes). The sum of resident
        # sizes counts such a page once per process; it is printed too.
        if len(trees_pss) == len(trees):
            table.add("scale", f"{label}: peak memory, whole process tree", median(trees_pss) / 1e9, "GB",
                      target=TARGETS["scale_1M_gb"] if big else None, n=len(trees_pss),
                      note="sum of PSS (shared pages counted once) over Snakemake and its jobs, sampled every 0.2 s")
            table.add("scale", f"{label}: peak memory, sum of RSS", median(trees) / 1e9, "GB", n=len(trees),
                      note="sum of RSS: a page shared by forked processes counted once per process")
        else:  # no smaps_rollup (Linux < 4.14): resident sizes, an upper bound
            table.add("scale", f"{label}: peak memory, whole process tree", median(trees) / 1e9, "GB",
                      target=TARGETS["scale_1M_gb"] if big else None, n=len(trees),
                      note="sum of RSS over Snakemake and its jobs (an upper bound: no PSS on this kernel), sampled every 0.2 s")
        if largest:
            table.add("scale", f"{label}: peak memory, largest single process", max(largest) / 1e9, "GB", n=len(largest),
                      note="ru_maxrss")
        heavy = sorted(((v, k) for k, v in cpu_by_rule.items()), reverse=True)[:10]
        table.notes.append(f"scale {label}, CPU by rule (s, sampled): " + ", ".join(f"{k} {v:.0f}" for v, k in heavy))
        times = rule_times(folder / "run-0.log")
        slow = sorted(((sum(v), k, len(v), max(v)) for k, v in times.items()), reverse=True)[:10]
        table.notes.append(f"scale {label}, slowest rules (summed job s / jobs / longest job s): "
                           + ", ".join(f"{k} {s:.0f}/{n}/{mx:.0f}" for s, k, n, mx in slow))
        if not args.keep:
            shutil.rmtree(results, ignore_errors=True)


# ------------------------------------------------------------------ stage: throughput (child process)


def measure_throughput(repeats: int) -> dict:
    import numpy as np
    import pandas as pd

    from analysis.framing import score_frames
    from analysis.lexicons import load_lexicon
    from analysis.tokenization import _WORD_RE, multiword_tuples, punkt_from_params, stopword_set, tokenize_documents, train_punkt

    texts, _, _ = generate_corpus.read_pool()
    rng = np.random.default_rng(1)
    sets = {"real texts, each once": texts, "50,000 resampled comments": [texts[i] for i in rng.integers(0, len(texts), 50_000)]}
    lexicons = [load_lexicon(ROOT / p) for p in generate_corpus.LEXICONS]
    mwes = multiword_tuples(t for lx in lexicons for t in lx.terms())
    params = train_punkt(texts)
    stop = stopword_set("english")
    out = {}
    for name, docs_text in sets.items():
        n = len(docs_text)
        docs = pd.DataFrame({"thread_id": [f"t{i // 100:06d}" for i in range(n)], "comment_id": [f"c{i:07d}" for i in range(n)],
                             "doc": "comment", "text": docs_text})
        comments = docs.drop(columns="doc").assign(
            parent_id="", depth=1, position=1, author_id="", created_at=pd.Timestamp("2020-01-01", tz="UTC"),
            source="bench", file="", record=1, rule="record", is_placeholder=False, shard=0)
        threads = pd.DataFrame({"thread_id": sorted(set(docs["thread_id"])), "source": "bench", "title": "", "article_text": "",
                                "site_tags": "", "n_comments": 0, "shard": 0})

        def scan() -> int:
            return sum(len([m.span() for m in _WORD_RE.finditer(t)]) for t in docs_text)

        def passes() -> int:
            tokens = tokenize_documents(docs, punkt=punkt_from_params(params), mwes=mwes, stopwords=stop)
            score_frames(tokens, comments, threads, lexicons)
            return len(tokens)

        rows = {}
        for what, fn in (("scan", scan), ("pass", passes)):
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
    table.notes.append(f"throughput: the target is on the ratio to the scan; child peak RSS {res['peak_rss'] / 1e9:.2f} GB")


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

    from analysis.tokenization import train_punkt

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
    colds, reruns, redraws = [], [], []
    for r in range(args.scale_repeats):
        shutil.rmtree(results, ignore_errors=True)
        files[-1].replace(held)
        colds.append(run_measured(snakemake_cmd(config), log=folder / f"cold-{r}.log"))
        held.replace(files[-1])
        reruns.append(run_measured(snakemake_cmd(config), log=folder / f"add-{r}.log", interval=0.05))
        # the part of any rerun that no aggregate can save: Snakemake's own start and end, the figures, the book
        redraws.append(run_measured(snakemake_cmd(config, "--forcerun", "figures"), log=folder / f"redraw-{r}.log"))
    cold, rerun = median([m["wall"] for m in colds]), median([m["wall"] for m in reruns])
    cold_cpu, rerun_cpu = median([m["cpu"] for m in colds]), median([m["cpu"] for m in reruns])
    table.add("incremental", "add 1 thread to 1,000: rerun / cold", rerun / cold, "%", target=TARGETS["incremental_share"],
              baseline=None, baseline_what=f"cold run {cold:.0f} s, rerun {rerun:.0f} s (wall)", n=len(colds), ratio=rerun / cold,
              note=f"CPU: rerun {rerun_cpu:.0f} s / cold {cold_cpu:.0f} s = {rerun_cpu / cold_cpu:.0%}; 20 shards, shard_by: file"
                   + "; frozen Punkt model")
    redraw = median([m["wall"] for m in redraws])
    chain = median([sum(m["span_by_rule"].get(k, 0.0) for k in SHARD_CHAIN) for m in reruns])
    table.add("incremental", "floor: figures+book redraw + new shard / cold", (redraw + chain) / cold, "%",
              baseline=None, baseline_what=f"snakemake --forcerun figures {redraw:.1f} s + the new shard's "
              f"{'+'.join(SHARD_CHAIN)} {chain:.1f} s (sampled), cold {cold:.0f} s", n=len(redraws),
              note="what a rerun costs before any aggregate reruns")
    rerun_rules = rule_times(folder / "add-0.log")
    cold_rules = rule_times(folder / "cold-0.log")
    table.notes.append("incremental, rules rerun after adding a thread (jobs rerun/jobs in the cold run): "
                       + ", ".join(f"{k} {len(v)}/{len(cold_rules.get(k, []))}" for k, v in sorted(rerun_rules.items())))
    heavy = sorted(((v, k) for k, v in reruns[0]["cpu_by_rule"].items()), reverse=True)[:8]
    table.notes.append("incremental, CPU of the rerun by rule (s, sampled): " + ", ".join(f"{k} {v:.0f}" for v, k in heavy))
    if not args.keep:
        shutil.rmtree(results, ignore_errors=True)


# ------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stages", default=",".join(STAGES), help=f"comma-separated, from {','.join(STAGES)}")
    ap.add_argument("--sizes", default="10k,100k,1M", help="corpus sizes of the scale stage (default 10k,100k,1M)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per figure; the median is reported (default 3)")
    ap.add_argument("--scale-repeats", type=int, default=1, help="runs per size in the scale and incremental stages (default 1)")
    ap.add_argument("--workdir", type=Path, default=None, help="where corpora and results go (default: a new /tmp folder)")
    ap.add_argument("--json", type=Path, default=None, help="write the rows here (default <workdir>/results.json)")
    ap.add_argument("--keep", action="store_true", help="keep the workflow results of the scale and incremental stages")
    ap.add_argument("--mem-limit-gb", type=float, default=14.0,
                    help="stop a scale run whose process tree holds more than this (default 14; the machine is shared)")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        fn = {"throughput": measure_throughput, "leave_out": measure_leave_out, "bootstrap": measure_bootstrap}[args.child]
        print(json.dumps(fn(args.repeats)))
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
