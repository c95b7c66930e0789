"""Rule ingest: read one source, check integrity, pseudonymise, write its shards (analysis.ingest.canonical)."""

from analysis import io
from analysis.errors import report_user_errors
from analysis.ingest.canonical import ingest, write_records, write_shards
from analysis.ingest.sources import read_source

log = io.setup_logging(snakemake.log[0], "ingest")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
src = snakemake.params.source
log.info("reading source %s (%s) from %s", src["id"], src["format"], src["path"])
result = read_source(src)
log.info("read %d records (%d unparseable)", result.n_read, len(result.rejects))
for warning in result.warnings:  # also in the ingest report
    log.warning("%s", warning)
# the mention search runs in snakemake.threads processes
out = ingest(result, source=src["id"], fmt=src["format"], processes=snakemake.threads, consume=True,
             **snakemake.params.options)
del result  # the reader's records; ``out`` holds what is written
write_shards(out, comments=snakemake.output.comments, threads=snakemake.output.threads,
             mentions=snakemake.output.mentions)
write_records(out, quarantine=snakemake.output.quarantine, lines=snakemake.output.lines,
              report=snakemake.output.report)
log.info("kept %d comments in %d threads; quarantined %d",
         out.report["comments_kept"], out.report["threads"], out.report["quarantined"])
