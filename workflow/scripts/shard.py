"""Rule shard: combine one shard of every source into the canonical tables (analysis.sharding.shard)."""

from analysis import io
from analysis.sharding import shard

log = io.setup_logging(snakemake.log[0], "shard")
for table in ("comments", "threads", "mentions"):
    parts = [io.read_table(p) for p in snakemake.input[table]]
    frame, meta = shard(parts, table)
    io.write_table(frame, snakemake.output[table], table, metadata=meta)
    log.info("%s: %d rows from %d sources", table, len(frame), len(parts))
