"""Rule describe_corpus: corpus counts, comments per depth, one row per thread."""

import pandas as pd

from analysis import describe, io

log = io.setup_logging(snakemake.log[0], "describe_corpus")
comments = io.read_tables(snakemake.input.comments, columns=["thread_id", "depth", "author_id"])
threads = io.read_tables(snakemake.input.threads)
token_columns = ["thread_id", "comment_id", "doc", "sentence", "is_mwe"]
read_shard = dict(columns=token_columns, dictionary=token_columns[:3], use_threads=False)  # keys as codes; one thread: less CPU
doc_tokens = pd.concat([describe.document_token_counts(io.read_arrow(p, **read_shard)) for p in snakemake.input.tokens],
                       ignore_index=True)  # shard by shard: never all tokens at once
io.write_json(describe.corpus_numbers(comments, threads, doc_tokens), snakemake.output.numbers)
io.write_csv(describe.comments_per_depth(comments), snakemake.output.depth)
io.write_csv(describe.thread_summary(comments, threads), snakemake.output.threads)
log.info("%d comments in %d threads", len(comments), len(threads))
