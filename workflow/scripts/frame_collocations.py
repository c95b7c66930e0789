"""Rule frame_collocations: words that keep company with each frame's terms (NLTK association measures)."""

from analysis import io
from analysis.collocations import frame_collocations

log = io.setup_logging(snakemake.log[0], "frame_collocations")
tokens = io.read_tables(snakemake.input.tokens, columns=["thread_id", "comment_id", "doc", "sentence", "index", "norm", "is_stopword"])
hits = io.read_tables(snakemake.input.matches)
hits = hits[hits["counted"]]
table = frame_collocations(tokens, hits, window=snakemake.params.window)
io.write_csv(table, snakemake.output.table)
log.info("%d collocations for %d frames", len(table), table["frame"].nunique() if len(table) else 0)
