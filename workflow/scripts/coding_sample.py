"""Rule coding_sample: a stratified sample to code by hand, blind sheets per coder, and the codebook.

Shard by shard: the documents are put in strata one shard at a time, and
texts are kept only for the drawn documents and the comments they reply to.
Each shard is read as Arrow, only the columns the sample needs; texts
become Python strings once per distinct text (for partial matches) and for
the drawn documents.
"""

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from analysis import io
from analysis.framing import frames_of
from analysis.lexicons import load_lexicon
from analysis.validation import codebook, coding_sheets, documents_with_text, draw_coding_sample_sharded

log = io.setup_logging(snakemake.log[0], "coding_sample")
opts = snakemake.params.options
inp = snakemake.input
lexicons = [load_lexicon(p, check_terms=False) for p in inp.lexicons]
KEYS = ["thread_id", "comment_id", "doc"]


def load_shard(i):
    """(docs with their text, matches) of shard i, as Arrow tables."""
    docs = documents_with_text(io.read_arrow(inp.docs[i], columns=KEYS),
                               io.read_arrow(inp.comments[i], columns=["thread_id", "comment_id", "text"]),
                               io.read_arrow(inp.threads[i], columns=["thread_id", "article_text"]))
    return docs, io.read_arrow(inp.matches[i], columns=KEYS + ["frame", "term", "counted"])


def pair_keys(table, thread="thread_id", comment="comment_id"):
    return pc.binary_join_element_wise(table.column(thread), table.column(comment), "\x00")


def context_rows(sample):
    """The rows of the comments table that coding_sheets reads: the drawn comments and their parents, in table order."""
    drawn = sample[sample["doc"].astype(str) == "comment"]
    wanted = pa.array(sorted(set(drawn["thread_id"].astype(str) + "\x00" + drawn["comment_id"].astype(str))), type=pa.string())
    parents = []
    for p in inp.comments:
        t = io.read_arrow(p, columns=["thread_id", "comment_id", "parent_id"])
        t = t.filter(pc.and_(pc.is_in(pair_keys(t), value_set=wanted), pc.not_equal(t.column("parent_id"), "")))
        parents.append(pair_keys(t, comment="parent_id").combine_chunks())
    keep = pc.unique(pa.concat_arrays([wanted, *parents]))
    parts = []
    for p in inp.comments:
        t = io.read_arrow(p, columns=["thread_id", "comment_id", "parent_id", "text"])
        parts.append(t.filter(pc.is_in(pair_keys(t), value_set=keep)))
    return pa.concat_tables(parts).to_pandas()


sample = draw_coding_sample_sharded(load_shard, len(inp.docs), frames=frames_of(lexicons), per_stratum=opts["per_stratum"],
                                    seed=opts["seed"], lexicons=lexicons)
io.write_csv(sample, snakemake.output.sample)
sheets = coding_sheets(sample, coders=opts["coders"], context=context_rows(sample), lexicons=lexicons, seed=opts["seed"])
for coder, path in zip(opts["coders"], snakemake.output.sheets):
    io.write_csv(sheets[coder], path)
Path(snakemake.output.codebook).write_text(codebook(lexicons), encoding="utf-8")
log.info("%d items for %d coders", len(sample), len(sheets))
