"""Rule annotate: tokens, frame matches, document frame hits and stance of one shard (analysis.annotate)."""

from analysis import columns, io
from analysis.annotate import annotate
from analysis.errors import report_user_errors
from analysis.lexicons import load_lexicon
from analysis.punkt import punkt_from_params
from analysis.tokenization import stopword_set

log = io.setup_logging(snakemake.log[0], "annotate", release_memory=True)  # frees dropped tables
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
inp, params = snakemake.input, snakemake.params
comments = io.read_table(inp.comments)
threads = io.read_table(inp.threads)
quotes = io.read_table(inp.quotes)
log.info("annotating %d comments and %d article bodies", len(comments), int((threads["article_text"] != "").sum()))
out = annotate(
    comments,
    threads,
    punkt=punkt_from_params(io.read_json(inp.punkt)),
    lexicons=[load_lexicon(p, check_terms=False) for p in inp.lexicons],
    stance_lexicon=load_lexicon(inp.stance, check_terms=False),
    incivility_lexicon=load_lexicon(inp.incivility, check_terms=False),
    lowercase=params.tokenize["lowercase"],
    stem=params.tokenize["stem"],
    stopwords=stopword_set(params.tokenize["stopwords"]),
    negation_window=params.framing["negation_window"],
    count_quoted=params.framing["count_quoted"],
    count_negated=params.framing["count_negated"],
    flip_negated=params.flip_negated,
    quotes=quotes,
    count_quoted_text=params.count_quoted_text,
    languages=params.languages,
)
io.write_arrow(out.tokens, snakemake.output.tokens)  # the contract's schema by construction
io.write_table(out.matches, snakemake.output.matches, "matches")
meta = [c for c in out.docs.columns if c not in columns.core_names("doc_frames") and not c.startswith("hits_")]
io.write_table(out.docs, snakemake.output.docs, "doc_frames", metadata=meta)
io.write_table(out.stance, snakemake.output.stance, "doc_stance")
log.info("%d tokens, %d documents, %d frame matches (%d counted); stance %s", out.tokens.num_rows, len(out.docs),
         len(out.matches), int(out.matches["counted"].sum()), out.stance["label"].value_counts().to_dict())
