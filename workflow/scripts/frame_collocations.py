"""Rule frame_collocations: words that keep company with each frame's terms (NLTK association measures).

Shard by shard: the counts of one shard's tokens and counted matches are
added to running totals (a context window never crosses a document, and a
document lies in one shard), so memory is that of one shard, read with
dictionary-encoded strings.
"""

from analysis import io
from analysis.collocations import add_collocation_counts, collocation_counts, score_collocations
from analysis.errors import report_user_errors

TOKEN_COLUMNS = ["thread_id", "comment_id", "doc", "sentence", "index", "norm", "is_stopword"]
HIT_COLUMNS = ["thread_id", "comment_id", "doc", "frame", "token_start", "token_end", "counted"]
STRINGS = ["thread_id", "comment_id", "doc", "norm"]

log = io.setup_logging(snakemake.log[0], "frame_collocations")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr


def shard_counts():
    for tokens_path, matches_path in zip(snakemake.input.tokens, snakemake.input.matches, strict=True):
        hits = io.read_arrow(matches_path, columns=HIT_COLUMNS)
        hits = hits.filter(hits.column("counted"))
        tokens = io.read_arrow(tokens_path, columns=TOKEN_COLUMNS, dictionary=STRINGS)
        yield collocation_counts(tokens, hits, window=snakemake.params.window)


table = score_collocations(add_collocation_counts(shard_counts()))
io.write_csv(table, snakemake.output.table)
log.info("%d collocations for %d frames", len(table), table["frame"].nunique() if len(table) else 0)
