"""Rule frame_dynamics: frame uptake down reply chains and the parent -> reply transition matrix."""

import pandas as pd

from analysis import io
from analysis.dynamics import frame_uptake, reply_pairs, transition_matrix
from analysis.framing import frames_of
from analysis.lexicons import lexicon_stamp, load_lexicon

log = io.setup_logging(snakemake.log[0], "frame_dynamics")
opts = snakemake.params.options
lexicons = [load_lexicon(p, check_terms=False) for p in snakemake.input.lexicons]
frames = frames_of(lexicons)
dictionaries = lexicon_stamp(lexicons)
docs = io.read_tables(snakemake.input.docs, columns=["thread_id", "comment_id", "doc", *(f"hits_{f}" for f in frames)])
comments = io.read_tables(snakemake.input.comments, columns=["thread_id", "comment_id", "parent_id"])
pairs = reply_pairs(docs, comments, frames=frames)
log.info("%d reply pairs, %d article pairs", int((pairs["kind"] == "reply").sum()), int((pairs["kind"] == "article").sum()))
common = dict(frames=frames, min_clusters=opts["min_clusters"], n_boot=opts["n_boot"], seed=opts["seed"])
uptake = pd.concat([frame_uptake(pairs, kind=k, **common) for k in ("reply", "article")], ignore_index=True)
transitions = pd.concat([transition_matrix(pairs, frames=frames, kind=k) for k in ("reply", "article")], ignore_index=True)
io.write_csv(uptake.assign(dictionaries=dictionaries), snakemake.output.uptake)
io.write_csv(transitions.assign(dictionaries=dictionaries), snakemake.output.transitions)
