"""Rule ingest: read one source, check integrity, pseudonymise, write its shards."""

import pyarrow as pa

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
    processes=snakemake.threads,  # the mention search runs in this many processes
)
del result  # the reader's records; ``out`` holds what is written
# Each shard's rows are picked by an Arrow filter, chunk by chunk: a pandas row selection would first join the
# chunks of the text column (one per input file), a copy of every text for every shard.
arrow = pa.Table.from_pandas(out.comments, preserve_index=False)
shard_of = out.comments["shard"].to_numpy()
for i, (c_path, t_path, m_path) in enumerate(
    zip(snakemake.output.comments, snakemake.output.threads, snakemake.output.mentions)
):
    rows = arrow.filter(pa.array(shard_of == i)).to_pandas()
    io.write_table(rows, c_path, "comments", metadata=out.metadata)
    del rows
    threads = out.threads[out.threads["shard"] == i]
    io.write_table(threads, t_path, "threads")
    io.write_table(out.mentions[out.mentions["thread_id"].isin(threads["thread_id"])], m_path, "mentions")
io.write_table(out.quarantine, snakemake.output.quarantine, "quarantine")
io.write_table(out.lines, snakemake.output.lines, "lines")
io.write_json(out.report, snakemake.output.report)
log.info("kept %d comments in %d threads; quarantined %d", out.report["comments_kept"], out.report["threads"], out.report["quarantined"])
