"""Rule ingest_report: one report over all sources, as JSON and as a table."""

import pandas as pd

from analysis import io
from analysis.ingest.base import QUARANTINE_REASONS

log = io.setup_logging(snakemake.log[0], "ingest_report")
reports = [io.read_json(p) for p in snakemake.input.reports]
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
