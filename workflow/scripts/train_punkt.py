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
    # The first max_docs non-empty texts: articles in thread order, then comments in shard order, each shard's
    # rows in the order rule shard writes them (its sources' parts one after another, sorted by thread, record,
    # file), read from the sources' shards so that training need not wait for rule shard. Comment shards are
    # read only until there are enough (a large corpus is not read whole).
    max_docs, n_sources = snakemake.params.max_docs, snakemake.params.n_sources  # max_docs >= 1 (config schema)
    threads = io.read_tables(snakemake.input.threads, columns=["thread_id", "article_text"])
    texts = [t for t in threads.sort_values("thread_id", kind="stable")["article_text"] if t.strip()]
    paths = list(snakemake.input.comments)
    for first in range(0, len(paths), n_sources):
        if len(texts) >= max_docs:
            break
        shard = io.read_tables(paths[first : first + n_sources], columns=["thread_id", "record", "file", "text"])
        if len(shard):
            shard = shard.sort_values(["thread_id", "record", "file"], kind="stable")
            texts += [t for t in shard["text"] if t.strip()]
    params = train_punkt(texts, max_docs=max_docs)
    io.write_json(params, snakemake.output.params)
    log.info("trained on the first %d non-empty documents: %d abbreviations", params["n_docs"], len(params["abbrev_types"]))
