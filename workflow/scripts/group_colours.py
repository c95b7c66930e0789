"""Rule group_colours: the colour of every group of the run (analysis.plotting.group_colours), one table that every
figure drawing groups reads, so a group keeps its colour from figure to figure."""

import pandas as pd

from analysis import io, plotting
from analysis.errors import report_user_errors

log = io.setup_logging(snakemake.log[0], "group_colours")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
text = {"dtype": str, "keep_default_na": False}
rates = pd.read_csv(snakemake.input.rates, usecols=["by", "group", "n_docs"], **text)
parts = [rates.assign(n=rates["n_docs"].astype(int))[["by", "group", "n"]]]
keyness = pd.read_csv(snakemake.input.keyness, **text)
if len(keyness):  # groups of keyness groupings not in framing.group_by: ordered by name (size 0)
    parts.append(keyness[["by", "group"]].drop_duplicates().assign(n=0))
edges = pd.read_csv(snakemake.input.edges, usecols=["child_author", "child_group"], **text)
if len(edges):  # the polarization groups: by speakers, under the group column's name (or "stance")
    speakers = edges[edges["child_group"] != ""].drop_duplicates(["child_author", "child_group"])
    sizes = speakers.groupby("child_group").size().rename("n").reset_index().rename(columns={"child_group": "group"})
    parts.append(sizes.assign(by=snakemake.params.group_by or "stance"))
groups = pd.concat(parts, ignore_index=True)
groups = groups[groups["group"] != ""]
table = plotting.group_colours(groups.groupby(["by", "group"], as_index=False)["n"].max())
io.write_csv(table, snakemake.output.table)
log.info("%d groups in %d groupings", len(table), table["by"].nunique())
