"""Rule describe_corpus: corpus counts, comments per depth, one row per thread."""

import pandas as pd

from analysis import describe, io
from analysis.errors import report_user_errors

TOKEN_COLUMNS = ["thread_id", "comment_id", "doc", "sentence", "is_mwe"]

log = io.setup_logging(snakemake.log[0], "describe_corpus")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
comments = io.read_tables(snakemake.input.comments, columns=["thread_id", "depth", "author_id"])
threads = io.read_tables(snakemake.input.threads)


def shard_counts(path: str) -> pd.DataFrame:
    """One shard's token counts per document; keys read as codes, on one thread (less CPU)."""
    tokens = io.read_arrow(path, columns=TOKEN_COLUMNS, dictionary=TOKEN_COLUMNS[:3], use_threads=False)
    return describe.document_token_counts(tokens)


doc_tokens = pd.concat([shard_counts(p) for p in snakemake.input.tokens], ignore_index=True)  # never all tokens at once
io.write_json(describe.corpus_numbers(comments, threads, doc_tokens), snakemake.output.numbers)
io.write_csv(describe.comments_per_depth(comments), snakemake.output.depth)
io.write_csv(describe.thread_summary(comments, threads), snakemake.output.threads)
log.info("%d comments in %d threads", len(comments), len(threads))
