"""Rule term_explorer: one offline HTML page per keyness grouping, see :mod:`analysis.term_explorer`.

Shard by shard: the tokens of the pages' terms, and the texts of their documents, one shard at a time.
"""

from pathlib import Path

import pyarrow.parquet as pq

from analysis import io
from analysis.errors import report_user_errors
from analysis.term_explorer import term_explorer

KEYS = ["thread_id", "comment_id", "doc"]

log = io.setup_logging(snakemake.log[0], "term_explorer")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
options = snakemake.params.explorer
keyness = io.read_csv(snakemake.input.keyness, dtype={"group": str, "group_a": str, "group_b": str, "term": str},
                      keep_default_na=False, na_values=[""])


def shards(by):
    """(tokens, docs, comments, threads) of each shard whose docs have the grouping column ``by``."""
    inputs = snakemake.input
    for tokens, docs, comments, threads in zip(inputs.tokens, inputs.docs, inputs.comments, inputs.threads,
                                               strict=True):
        if by in pq.read_schema(docs).names:
            yield (io.read_arrow(tokens, columns=[*KEYS, "norm", "start", "end"], dictionary=[*KEYS, "norm"]),
                   io.read_table(docs, columns=list(dict.fromkeys([*KEYS, by]))),
                   io.read_table(comments, columns=["thread_id", "comment_id", "text"]),
                   io.read_table(threads, columns=["thread_id", "article_text"]))


for by, path in zip(snakemake.params.groupings, snakemake.output.pages, strict=True):
    page = term_explorer(keyness, shards(by), by=by, max_terms=options["max_terms"], max_lines=options["max_lines"],
                         width=snakemake.params.width, max_groups=options["max_groups"],
                         max_bytes=int(options["max_mb"] * 1_000_000))
    Path(path).write_text(page, encoding="utf-8")
    log.info("%s: %d bytes", by, len(page.encode("utf-8")))
