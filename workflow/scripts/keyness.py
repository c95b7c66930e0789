"""Rule keyness: terms that distinguish groups (log-odds with informative Dirichlet prior, G2).

Shard by shard: each shard's (group x term) counts of every grouping are
added to running totals (a document lies in one shard), so memory is that
of one shard's tokens, read with dictionary-encoded strings.
"""

import pandas as pd
import pyarrow.parquet as pq

from analysis import io
from analysis.errors import bad_value
from analysis.keyness import TermCountSum, group_term_counts, keyness

KEYS = ["thread_id", "comment_id", "doc"]
TOKEN_COLUMNS = [*KEYS, "norm", "is_stopword"]

log = io.setup_logging(snakemake.log[0], "keyness")
groupings = list(snakemake.params.groups)
sums = {by: TermCountSum() for by in groupings}
seen = set()
for tokens_path, docs_path in zip(snakemake.input.tokens, snakemake.input.docs, strict=True):
    have = set(pq.read_schema(docs_path).names)
    present = [by for by in groupings if by in have]
    seen.update(present)
    if not present:
        continue
    docs = io.read_table(docs_path, columns=list(dict.fromkeys([*KEYS, *present])))
    tokens = io.read_arrow(tokens_path, columns=TOKEN_COLUMNS, dictionary=[*KEYS, "norm"])
    for by in present:
        sums[by].add(*group_term_counts(tokens, docs, by=by))
    del tokens, docs

tables = []
for by in groupings:
    if by not in seen:
        raise bad_value("by", by, "a column of the framing docs tables")
    counts, groups, terms = sums[by].total()
    if len(groups) < 2:
        log.info("grouping %s has %d group(s): no keyness", by, len(groups))
        continue
    table = keyness(counts, groups=groups, terms=terms, comparison="one_vs_rest", min_count=snakemake.params.min_count)
    tables.append(table.assign(by=by))
    log.info("grouping %s: %d groups, %d terms", by, len(groups), len(terms))
out = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=["by", "group", "term"])
io.write_csv(out, snakemake.output.table)
