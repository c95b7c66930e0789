"""Rule frame_dynamics: frame uptake down reply chains and the parent -> reply transition matrix
(analysis.frame_dynamics)."""

from analysis import io
from analysis.errors import report_user_errors
from analysis.frame_dynamics import frame_dynamics, frame_uses
from analysis.framing import frames_of
from analysis.lexicons import lexicon_stamp, load_lexicon

log = io.setup_logging(snakemake.log[0], "frame_dynamics", release_memory=True)  # frees dropped tables
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
cfg = snakemake.params.framing
lexicons = [load_lexicon(p, check_terms=False) for p in snakemake.input.lexicons]
frames = frames_of(lexicons)
dictionaries = lexicon_stamp(lexicons)
hits = [f"hits_{f}" for f in frames]
# only whether a document uses a frame (hits > 0) is read, and whether it is measured there (missing: a language
# without a dictionary for it): a nullable boolean, two bytes per frame and document instead of eight
docs = io.read_tables(snakemake.input.docs, columns=["thread_id", "comment_id", "doc", *hits])
docs[hits] = (docs[hits].fillna(0) > 0).astype("boolean").mask(docs[hits].isna())
comments = io.read_tables(snakemake.input.comments, columns=["thread_id", "comment_id", "parent_id"])
pairs, uptake, transitions = frame_dynamics(docs, comments, frames=frames, min_clusters=cfg["min_clusters"],
                                            n_boot=cfg["n_boot"], seed=cfg["seed"])
log.info("%d reply pairs, %d article pairs", int((pairs["kind"] == "reply").sum()),
         int((pairs["kind"] == "article").sum()))
io.write_csv(uptake.assign(dictionaries=dictionaries), snakemake.output.uptake)
io.write_csv(transitions.assign(dictionaries=dictionaries), snakemake.output.transitions)
# adopted (own words) vs copied (inside a quoted passage) vs contested (scare quotes, negation)
matches = io.read_tables(snakemake.input.matches,
                         columns=["thread_id", "comment_id", "doc", "frame", "quoted", "negated", "in_quote"])
uses = frame_uses(matches, docs, comments, frames=frames)
io.write_csv(uses.assign(dictionaries=dictionaries), snakemake.output.uses)
log.info("frame uses (adopted, copied, contested): %s", uses.groupby("where")[["n_adopted", "n_copied",
                                                                                "n_contested"]].sum().to_dict())
