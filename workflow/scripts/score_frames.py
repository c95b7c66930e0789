"""Rule score_frames: dictionary matches and per-document frame hits for one shard."""

from analysis import columns, io
from analysis.framing import score_frames
from analysis.lexicons import load_lexicon

# the token columns matching and counting read (not stem, is_mwe, is_stopword: less memory on big shards)
TOKEN_COLUMNS = ["thread_id", "comment_id", "doc", "sentence", "index", "token", "norm", "start", "end"]
log = io.setup_logging(snakemake.log[0], "score_frames")
opts = snakemake.params.options
lexicons = [load_lexicon(p, check_terms=False) for p in snakemake.input.lexicons]
comments = io.read_table(snakemake.input.comments)
matches, docs = score_frames(
    io.read_arrow(snakemake.input.tokens, columns=TOKEN_COLUMNS),  # Arrow: no conversion of 4 M strings to pandas
    comments,
    io.read_table(snakemake.input.threads),
    lexicons,
    negation_window=opts["negation_window"],
    count_quoted=opts["count_quoted"],
    count_negated=opts["count_negated"],
)
io.write_table(matches, snakemake.output.matches, "matches")
meta = [c for c in docs.columns if c not in columns.core_names("doc_frames") and not c.startswith("hits_")]
io.write_table(docs, snakemake.output.docs, "doc_frames", metadata=meta)
log.info("%d documents, %d matches (%d counted)", len(docs), len(matches), int(matches["counted"].sum()))
