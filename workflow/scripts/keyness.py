"""Rule keyness: terms that distinguish groups (log-odds with informative Dirichlet prior, G2)."""

import pandas as pd

from analysis import io
from analysis.keyness import group_term_counts, keyness

log = io.setup_logging(snakemake.log[0], "keyness")
tokens = io.read_tables(snakemake.input.tokens, columns=["thread_id", "comment_id", "doc", "norm", "is_stopword"])
docs = io.read_tables(snakemake.input.docs)
tables = []
for by in snakemake.params.groups:
    counts, groups, terms = group_term_counts(tokens, docs, by=by)
    if len(groups) < 2:
        log.info("grouping %s has %d group(s): no keyness", by, len(groups))
        continue
    table = keyness(counts, groups=groups, terms=terms, comparison="one_vs_rest", min_count=snakemake.params.min_count)
    tables.append(table.assign(by=by))
    log.info("grouping %s: %d groups, %d terms", by, len(groups), len(terms))
out = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=["by", "group", "term"])
io.write_csv(out, snakemake.output.table)
