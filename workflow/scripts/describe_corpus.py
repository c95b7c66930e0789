"""Rule describe_corpus: corpus counts, comments per depth, one row per thread."""

import pandas as pd

from analysis import describe, io
from analysis.errors import report_user_errors
from analysis.quotes import combine_shares, quoted_share

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
# share of the comments' text quoted, by source: shard by shard (a thread never spans shards), then summed
quotes = combine_shares([quoted_share(io.read_table(q), io.read_table(c, columns=["thread_id", "comment_id", "text"]))
                         for c, q in zip(snakemake.input.comments, snakemake.input.quotes, strict=True)])
everything = quotes[quotes["source"] == "all"]
numbers = describe.corpus_numbers(comments, threads, doc_tokens) | {
    "share_chars_quoted": float(round(everything["share_chars"].sum(), 4)),
    "share_comments_quoting": float(round(everything["share_comments"].sum(), 4)),
}
io.write_json(numbers, snakemake.output.numbers)
io.write_csv(quotes, snakemake.output.quotes)
io.write_csv(describe.comments_per_depth(comments), snakemake.output.depth)
io.write_csv(describe.thread_summary(comments, threads), snakemake.output.threads)
log.info("%d comments in %d threads", len(comments), len(threads))
