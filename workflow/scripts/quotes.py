"""Rule quotes: the quoted passages of one shard's comments and articles (analysis.quotes.find_quotes)."""

import pyarrow as pa

from analysis import io
from analysis.errors import report_user_errors
from analysis.quotes import find_quotes, quote_schema, quoted_share

log = io.setup_logging(snakemake.log[0], "quotes")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
inp, opts = snakemake.input, snakemake.params.quotes
comments = io.read_table(inp.comments)
threads = io.read_table(inp.threads)
found = find_quotes(comments, threads, detect=opts["detect"], min_words=opts["min_words"],
                    declared_column=opts["declared_column"])
io.write_arrow(pa.Table.from_pandas(found, schema=quote_schema(), preserve_index=False), snakemake.output.quotes)
share = quoted_share(found, comments)
log.info("%d comments: %d quoted passages; share of characters quoted by source %s", len(comments), len(found),
         dict(zip(share["source"], share["share_chars"].round(3))))
