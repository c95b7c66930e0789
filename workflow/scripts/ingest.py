"""Rule ingest: read one source, check integrity, pseudonymise, write its shards."""

from analysis import io
from analysis.ingest.canonical import ingest
from analysis.ingest.sources import read_source

log = io.setup_logging(snakemake.log[0], "ingest")
src = snakemake.params.source
log.info("reading source %s (%s) from %s", src["id"], src["format"], src["path"])
result = read_source(src)
log.info("read %d records (%d unparseable)", result.n_read, len(result.rejects))
out = ingest(
    result,
    source=src["id"],
    fmt=src["format"],
    n_shards=snakemake.params.n_shards,
    salt=snakemake.params.salt,
    pseudonymise_names=snakemake.params.pseudonymise,
    orphans=snakemake.params.orphans,
)
for i, (c_path, t_path, m_path) in enumerate(
    zip(snakemake.output.comments, snakemake.output.threads, snakemake.output.mentions)
):
    io.write_table(out.comments[out.comments["shard"] == i], c_path, "comments", metadata=out.metadata)
    threads = out.threads[out.threads["shard"] == i]
    io.write_table(threads, t_path, "threads")
    io.write_table(out.mentions[out.mentions["thread_id"].isin(threads["thread_id"])], m_path, "mentions")
io.write_table(out.quarantine, snakemake.output.quarantine, "quarantine")
io.write_table(out.lines, snakemake.output.lines, "lines")
io.write_json(out.report, snakemake.output.report)
log.info("kept %d comments in %d threads; quarantined %d", out.report["comments_kept"], out.report["threads"], out.report["quarantined"])
