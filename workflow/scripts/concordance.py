"""Rule concordance: a keyword-in-context line for every frame match (the evidence).

Shard by shard (matches, comments and threads of one shard index hold the
same threads): each shard's lines are appended to the Parquet file and the
CSV in shard order, so the rows are those of one pass over all shards, in
the same order, and memory is that of one shard. The CSV lines are built in
Arrow (:mod:`analysis.arrow_csv`: the bytes pandas writes, in a quarter of
its time on 2 M lines).
"""

import pyarrow as pa
import pyarrow.parquet as pq

from analysis import io
from analysis.arrow_csv import write_csv_rows
from analysis.framing import concordance, document_texts

log = io.setup_logging(snakemake.log[0], "concordance")
inputs = list(zip(snakemake.input.matches, snakemake.input.comments, snakemake.input.threads, strict=True))
writer, first_empty, n_lines = None, None, 0
used = ["thread_id", "comment_id", "doc", "lexicon", "lexicon_sha", "frame", "term", "match", "start", "end", "quoted", "negated",
        "counted"]
with open(snakemake.output.csv, "wb") as csv:
    for i, (matches_path, comments_path, threads_path) in enumerate(inputs):
        matches = io.read_table(matches_path, columns=used)
        comments = io.read_table(comments_path, columns=["thread_id", "comment_id", "author_id", "text"])
        threads = io.read_table(threads_path, columns=["thread_id", "article_text"])
        authors = dict(zip(zip(comments["thread_id"].tolist(), comments["comment_id"].tolist()), comments["author_id"].tolist()))
        kwic = concordance(matches, document_texts(comments, threads), width=snakemake.params.width, authors=authors)
        del matches, comments, threads, authors
        n_lines += len(kwic)
        if not len(kwic):  # no rows to write; its column types may be undetermined
            csv.write(kwic.to_csv(index=False, header=i == 0, lineterminator="\n").encode("utf-8"))
            first_empty = kwic if first_empty is None else first_empty
            continue
        table = pa.Table.from_pandas(kwic, preserve_index=False)
        write_csv_rows(table, csv, header=i == 0)
        if writer is None:
            writer = pq.ParquetWriter(snakemake.output.table, table.schema, compression="snappy")
        writer.write_table(table.cast(writer.schema))
if writer is None:  # no line at all: the empty table, as one pass would write it
    first_empty.to_parquet(snakemake.output.table, index=False)
else:
    writer.close()
log.info("%d concordance lines", n_lines)
