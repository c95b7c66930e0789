"""Rule ingest_report: one report over all sources, as JSON and as a table.

A shard_by: file source has one report per shard: they are added up here
(authors are counted once over its comments), after checking that no thread
id turns up in two of its shards (a thread spanning files that hash apart).
"""

from collections import defaultdict

import pandas as pd

from analysis import io
from analysis.errors import InputError
from analysis.ingest.base import QUARANTINE_REASONS
from analysis.ingest.canonical import combine_reports, threads_in_several_shards

log = io.setup_logging(snakemake.log[0], "ingest_report")
parts = defaultdict(list)
for path in snakemake.input.reports:
    report = io.read_json(path)
    parts[report["source"]].append(report)

threads = io.read_tables(snakemake.input.shard_threads, columns=["source", "thread_id", "shard"])
if len(threads):
    spread = threads_in_several_shards(threads)
    if len(spread):
        source, tid = spread.iloc[0][["source", "thread_id"]]
        comments = io.read_tables(snakemake.input.shard_comments, columns=["source", "thread_id", "file"])
        files = sorted(set(comments.loc[(comments["source"] == source) & (comments["thread_id"] == tid), "file"]))
        shards = ", ".join(f"{s:03d}" for s in sorted(set(spread.loc[spread["thread_id"] == tid, "shard"])))
        raise InputError(
            files[0] if files else f"source {source}",
            f"thread {tid.removeprefix(source + ':')!r} of source {source!r} also has comments in "
            f"{', '.join(files[1:]) or 'other files'} (shards {shards}): "
            "with shard_by: file every thread must lie in one file (use shard_by: thread for this source)",
        )
authors = io.read_tables(snakemake.input.shard_comments, columns=["source", "author_id"])
reports = []
for source in snakemake.params.sources:
    if source not in snakemake.params.file_sources:
        reports.append(parts[source][0])
    else:  # shard_by: file: one report per shard
        mine = authors.loc[authors["source"] == source, "author_id"] if len(authors) else pd.Series(dtype=object)
        reports.append(combine_reports(parts[source], authors=mine[mine != ""].nunique()))
totals = {k: sum(r[k] for r in reports) for k in ("records_read", "comments_kept", "quarantined", "placeholders", "threads")}
io.write_json({"sources": reports, "totals": totals, "reasons": QUARANTINE_REASONS}, snakemake.output.report)
rows = [
    {"source": r["source"], "format": r["format"], "records_read": r["records_read"], "comments_kept": r["comments_kept"],
     "quarantined": r["quarantined"], **{f"q_{k}": v for k, v in r["quarantined_by_reason"].items()}}
    for r in reports
]
io.write_csv(pd.DataFrame(rows), snakemake.output.table)
quarantine = io.read_tables(snakemake.input.quarantine)
io.write_table(quarantine, snakemake.output.quarantine, "quarantine")
log.info("%d sources: %s", len(reports), totals)
