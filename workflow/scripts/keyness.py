"""Rule keyness: terms that distinguish groups (log-odds with informative Dirichlet prior, G2).

Shard by shard (see :func:`analysis.keyness.keyness_by_grouping`): memory is
that of one shard's tokens, read with dictionary-encoded strings.
"""

import pyarrow.parquet as pq

from analysis import io
from analysis.errors import report_user_errors
from analysis.keyness import keyness_by_grouping

KEYS = ["thread_id", "comment_id", "doc"]
TOKEN_COLUMNS = [*KEYS, "norm", "is_stopword"]

log = io.setup_logging(snakemake.log[0], "keyness")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
groupings = list(snakemake.params.groups)


def shards():
    """(tokens, docs) of each shard whose docs have a grouping column; only the columns used."""
    for tokens_path, docs_path in zip(snakemake.input.tokens, snakemake.input.docs, strict=True):
        names = pq.read_schema(docs_path).names
        present = [by for by in groupings if by in names]
        if present:  # author_id: the speakers of keyness_min_speakers
            docs = io.read_table(docs_path, columns=list(dict.fromkeys(
                [*KEYS, *present, *(c for c in ("author_id", "language") if c in names)])))
            yield io.read_arrow(tokens_path, columns=TOKEN_COLUMNS, dictionary=[*KEYS, "norm"]), docs


table = keyness_by_grouping(shards(), groupings=groupings, min_count=snakemake.params.min_count,
                            min_docs=snakemake.params.min_docs, min_speakers=snakemake.params.min_speakers,
                            drop_noise=snakemake.params.drop_noise, ignore=snakemake.params.ignore,
                            languages=snakemake.params.languages, log=log)
io.write_csv(table, snakemake.output.table)
