"""Rule train_punkt: learn Punkt sentence-splitting parameters from the corpus itself."""

from analysis import io
from analysis.tokenization import train_punkt

log = io.setup_logging(snakemake.log[0], "train_punkt")
threads = io.read_tables(snakemake.input.threads, columns=["thread_id", "article_text"])
comments = io.read_tables(snakemake.input.comments, columns=["thread_id", "record", "text"])
texts = list(threads.sort_values("thread_id")["article_text"]) + list(comments["text"])
texts = [t for t in texts if t.strip()]
params = train_punkt(texts, max_docs=snakemake.params.max_docs)
io.write_json(params, snakemake.output.params)
log.info("trained on %d of %d documents: %d abbreviations", min(len(texts), snakemake.params.max_docs), len(texts), len(params["abbrev_types"]))
