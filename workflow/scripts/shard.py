"""Rule shard: combine one shard of every source into the canonical tables."""

import pandas as pd

from analysis import columns, io

log = io.setup_logging(snakemake.log[0], "shard")
for name, table in (("comments", "comments"), ("threads", "threads"), ("mentions", "mentions")):
    parts = [io.read_table(p) for p in getattr(snakemake.input, name)]
    frame = pd.concat(parts, ignore_index=True)
    meta = [c for p in parts for c in p.columns if c not in columns.core_names(table)]
    meta = list(dict.fromkeys(meta)) if table != "mentions" else []
    keys = ["thread_id", "comment_id", "start"] if table == "mentions" else ["thread_id"] + (["record", "file"] if table == "comments" else [])
    frame = frame.sort_values(keys, kind="stable").reset_index(drop=True)
    io.write_table(frame, getattr(snakemake.output, name), table, metadata=meta)
    log.info("%s: %d rows from %d sources", name, len(frame), len(parts))
