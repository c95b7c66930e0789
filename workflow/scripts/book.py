"""Rule book: stage pages, tables, figures and numbers, then build with Jupyter Book (-W)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

from analysis import io
from analysis.book import concordance_preview, stage_book, substitutions
from analysis.lexicons import load_lexicon

log = io.setup_logging(snakemake.log[0], "book")
cfg = snakemake.params.config
report = io.read_json(snakemake.input.report)
lexicons = [load_lexicon(p, check_terms=False) for p in snakemake.input.lexicons]


provenance = io.read_json(snakemake.input.provenance)
inputs = io.read_csv(snakemake.input.inputs)
captions = {Path(p).stem: Path(p).read_text(encoding="utf-8").strip() for p in snakemake.input.captions}
names = ("rates", "index", "article_vs_comments", "uptake", "collocations", "keyness",
         "partisanship", "polar_terms", "network", "incivility", "sample", "alpha", "coded_prf", "worst_errors", "labels_prf")
framing_tables = {n: io.read_csv(getattr(snakemake.input, n), dtype={"group": str}) for n in names}
# the concordance is the largest table (every match): the book shows its first lines per frame, read from the
# Parquet copy, and offers the CSV as written
framing_tables["concordance"] = concordance_preview(snakemake.input.concordance_table)
subs = substitutions(
    numbers=io.read_json(snakemake.input.numbers),
    report=report,
    punkt=io.read_json(snakemake.input.punkt),
    tree=io.read_json(next(p for p in snakemake.input.figures if Path(p).name == "reply_tree.json"))["numbers"],
    config=cfg,
    lexicons=lexicons,
    framing=io.read_json(snakemake.input.framing),
    polar=io.read_json(snakemake.input.polar),
    valid=io.read_json(snakemake.input.valid),
    n_sample=len(framing_tables["sample"]),
    provenance=provenance,
    inputs=inputs,
)
src = stage_book(
    pages=snakemake.input.pages, static=snakemake.input.static, figures=snakemake.input.figures,
    dest=snakemake.params.src, subs=subs, report=report,
    threads=pd.read_csv(snakemake.input.threads, dtype={"thread_id": str, "title": str}, keep_default_na=False),
    config=cfg, framing=framing_tables, lexicons=lexicons, captions=captions, provenance=provenance, inputs=inputs,
    packages=io.read_csv(snakemake.input.packages, dtype={"version": str}), config_file=snakemake.input.config_as_run,
    concordance_csv=snakemake.input.concordance,
)
cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(src), "--path-output", snakemake.params.out,
       "--warningiserror", "--nitpick", "--keep-going", "--all"]
shutil.rmtree(Path(snakemake.params.out) / "_build" / "html", ignore_errors=True)  # no page of an earlier build survives
log.info("running %s", " ".join(cmd))
done = subprocess.run(cmd, capture_output=True, text=True)
with open(snakemake.log[0], "a", encoding="utf-8") as fh:  # the whole Sphinx log, in the log file only
    fh.write(f"jupyter-book output:\n{done.stdout}\n{done.stderr}\n")
log.info("jupyter-book exit %d: %s", done.returncode, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "")
if done.returncode != 0:
    problems = [line for line in (done.stdout + done.stderr).splitlines() if "WARNING" in line or "ERROR" in line]
    sys.exit(f"jupyter-book build failed (exit {done.returncode}); warnings are errors here:\n"
             + "\n".join(problems[:20]) + f"\nfull output: {snakemake.log[0]}")
