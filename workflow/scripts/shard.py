"""Rule shard: combine one shard of every source into the canonical tables (analysis.sharding.shard), with each
comment's language (analysis.language.with_languages)."""

from analysis import io
from analysis.errors import report_user_errors
from analysis.language import with_languages
from analysis.sharding import shard

log = io.setup_logging(snakemake.log[0], "shard")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
for table in ("comments", "threads", "mentions"):
    parts = [io.read_table(p) for p in snakemake.input[table]]
    frame, meta = shard(with_languages(parts, table, languages=snakemake.params.languages), table)
    io.write_table(frame, snakemake.output[table], table, metadata=meta)
    log.info("%s: %d rows from %d sources", table, len(frame), len(parts))
    if table == "comments" and "language" in frame:
        log.info("languages of the comments: %s", frame["language"].value_counts().to_dict())
