"""Rule ingest_report: one report over all sources, as JSON and as a table (analysis.ingest.canonical.ingest_report)."""

from analysis import io
from analysis.errors import report_user_errors
from analysis.ingest.canonical import ingest_report

log = io.setup_logging(snakemake.log[0], "ingest_report")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
report, table = ingest_report(snakemake.input.reports, sources=snakemake.params.sources,
                              file_sources=snakemake.params.file_sources, shard_threads=snakemake.input.shard_threads,
                              shard_comments=snakemake.input.shard_comments)
io.write_json(report, snakemake.output.report)
io.write_csv(table, snakemake.output.table)
io.write_table(io.read_tables(snakemake.input.quarantine), snakemake.output.quarantine, "quarantine")
log.info("%d sources: %s", len(report["sources"]), report["totals"])
for warning in report["warnings"]:
    log.warning("%s", warning)
