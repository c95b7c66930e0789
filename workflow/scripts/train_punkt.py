"""Rule train_punkt: learn Punkt sentence-splitting parameters from the corpus itself.

With tokenize.punkt_model set, the frozen parameters are checked and copied
instead (the book reports the model that was used).
"""

from analysis import io
from analysis.errors import InputError
from analysis.tokenization import punkt_from_params, train_punkt

log = io.setup_logging(snakemake.log[0], "train_punkt")
if "model" in snakemake.input.keys():
    try:
        params = io.read_json(snakemake.input.model)
        punkt_from_params(params)
    except (ValueError, TypeError, AttributeError) as exc:
        raise InputError(snakemake.input.model, f"not Punkt parameters written by train_punkt: {exc}") from None
    io.write_json(params, snakemake.output.params)
    log.info("frozen model %s: %d abbreviations", snakemake.input.model, len(params["abbrev_types"]))
else:
    threads = io.read_tables(snakemake.input.threads, columns=["thread_id", "article_text"])
    comments = io.read_tables(snakemake.input.comments, columns=["thread_id", "record", "text"])
    texts = list(threads.sort_values("thread_id")["article_text"]) + list(comments["text"])
    texts = [t for t in texts if t.strip()]
    params = train_punkt(texts, max_docs=snakemake.params.max_docs)
    io.write_json(params, snakemake.output.params)
    log.info("trained on %d of %d documents: %d abbreviations", min(len(texts), snakemake.params.max_docs), len(texts), len(params["abbrev_types"]))
