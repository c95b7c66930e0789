"""Rule tokenize_comments: word tokens with offsets for one shard (comments and article bodies)."""

import pandas as pd

from analysis import io
from analysis.lexicons import load_lexicon
from analysis.tokenization import multiword_tuples, punkt_from_params, stopword_set, token_table

log = io.setup_logging(snakemake.log[0], "tokenize_comments")
opts = snakemake.params.options
comments = io.read_table(snakemake.input.comments, columns=["thread_id", "comment_id", "text"])
threads = io.read_table(snakemake.input.threads, columns=["thread_id", "article_text"])
articles = threads.loc[threads["article_text"] != ""].rename(columns={"article_text": "text"}).assign(comment_id="", doc="article")
docs = pd.concat([articles, comments.assign(doc="comment")], ignore_index=True)[["thread_id", "comment_id", "doc", "text"]]
mwes = multiword_tuples(t for path in snakemake.input.lexicons for t in load_lexicon(path, check_terms=False).terms())
log.info("tokenizing %d documents with %d multi-word expressions", len(docs), len(mwes))
tokens = token_table(
    docs,
    punkt=punkt_from_params(io.read_json(snakemake.input.punkt)),
    mwes=mwes,
    lowercase=opts["lowercase"],
    stem=opts["stem"],
    stopwords=stopword_set(opts["stopwords"]),
)
io.write_table(tokens, snakemake.output.tokens, "tokens")  # the contract's schema by construction
log.info("wrote %d tokens", tokens.num_rows)
