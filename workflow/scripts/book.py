"""Rule book: stage pages, tables, figures and numbers (analysis.book.book), then build with Jupyter Book (-W)."""

from analysis import io
from analysis.book import book, build_book
from analysis.errors import report_user_errors

log = io.setup_logging(snakemake.log[0], "book")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
src = book(dict(snakemake.input.items()), src=snakemake.params.src, config=snakemake.params.config)
build_book(src, out=snakemake.params.out, log_file=snakemake.log[0], log=log)
