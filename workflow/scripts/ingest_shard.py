"""Rule ingest_shard: read one shard's files of a shard_by: file source, check integrity, pseudonymise, write it."""

from analysis import io
from analysis.errors import report_user_errors
from analysis.ingest.canonical import ingest, write_records
from analysis.ingest.sources import check_threads_in_one_file, read_source

log = io.setup_logging(snakemake.log[0], "ingest_shard")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
src = snakemake.params.source
shard = int(snakemake.wildcards.shard)
units = list(snakemake.params.units)
log.info("reading %d file(s) of source %s (%s) for shard %03d", len(units), src["id"], src["format"], shard)
result = read_source(src, files=units)
check_threads_in_one_file(result, source=src["id"])
log.info("read %d records (%d unparseable)", result.n_read, len(result.rejects))
for warning in result.warnings:  # also in the ingest report
    log.warning("%s", warning)
out = ingest(result, source=src["id"], fmt=src["format"], shard=shard, consume=True,
             **snakemake.params.options)
io.write_table(out.comments, snakemake.output.comments, "comments", metadata=out.metadata)
io.write_table(out.threads, snakemake.output.threads, "threads")
io.write_table(out.mentions, snakemake.output.mentions, "mentions")
write_records(out, quarantine=snakemake.output.quarantine, lines=snakemake.output.lines,
              report=snakemake.output.report)
log.info("kept %d comments in %d threads; quarantined %d",
         out.report["comments_kept"], out.report["threads"], out.report["quarantined"])
