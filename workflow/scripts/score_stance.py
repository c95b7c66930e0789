"""Rule score_stance: lexical stance cues and incivility hits of every document of one shard."""

from analysis import io
from analysis.lexicons import load_lexicon
from analysis.stance import score_stance

# the token columns matching reads, as Arrow (not stem, is_mwe, is_stopword; no conversion to pandas)
TOKEN_COLUMNS = ["thread_id", "comment_id", "doc", "sentence", "index", "token", "norm", "start", "end"]
log = io.setup_logging(snakemake.log[0], "score_stance")
framing = snakemake.params.framing
out = score_stance(
    io.read_arrow(snakemake.input.tokens, columns=TOKEN_COLUMNS),
    io.read_table(snakemake.input.comments, columns=["thread_id", "comment_id", "text"]),
    io.read_table(snakemake.input.threads, columns=["thread_id", "article_text"]),
    stance_lexicon=load_lexicon(snakemake.input.stance, check_terms=False),
    incivility_lexicon=load_lexicon(snakemake.input.incivility, check_terms=False),
    flip_negated=snakemake.params.flip_negated,
    negation_window=framing["negation_window"],
    count_quoted=framing["count_quoted"],
)
io.write_table(out, snakemake.output.stance, "doc_stance")
log.info("%d documents: %s", len(out), out["label"].value_counts().to_dict())
