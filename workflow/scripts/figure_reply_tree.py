"""Rule figure_reply_tree: the example thread's reply tree, one dot per comment."""

import matplotlib.pyplot as plt

from analysis import describe, io, plotting

log = io.setup_logging(snakemake.log[0], "figure_reply_tree")
cols = ["thread_id", "comment_id", "parent_id", "depth", "position", "author_id", "record"]
comments = io.read_tables(snakemake.input.comments, columns=cols)
thread_id = describe.pick_example_thread(comments, requested=snakemake.params.example_thread)
thread = comments[comments["thread_id"] == thread_id]
layout = describe.tree_layout(describe.first_subtrees(thread, max_comments=snakemake.params.max_comments))
plotting.style()
n, depth = len(layout), int(layout["y"].max())
width = min(12.0, max(5.0, 0.28 * (layout["x"].max() + 1)))
fig, ax = plt.subplots(figsize=(width, 1.0 + (0.55 if depth <= 8 else 0.3) * depth))
size = max(8.0, min(60.0, 3000.0 / n))
for row in layout.itertuples():
    if row.parent_row >= 0:
        p = layout.iloc[row.parent_row]
        ax.plot([p.x, row.x], [p.y, row.y], color="#999999", lw=0.8, zorder=1)
known = layout["author_id"] != ""
for mask, colour, label in ((known, plotting.OKABE_ITO[1], "author known"), (~known, plotting.OKABE_ITO[0], "author unknown")):
    if mask.any():
        ax.scatter(layout.loc[mask, "x"], layout.loc[mask, "y"], s=size, color=colour, zorder=2, label=label)
if n <= 60:
    for row in layout.itertuples():
        ax.annotate(row.comment_id, (row.x, row.y), ha="center", va="center", fontsize=5, color="white", zorder=3)
ax.invert_yaxis()
ax.set_yticks(range(1, depth + 1, 1 if depth <= 12 else 2))
ax.set_ylabel("Reply depth")
ax.set_xticks([])
ax.grid(False)
ax.spines["bottom"].set_visible(False)
ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=7, ncols=2)
data = layout[["thread_id", "comment_id", "parent_id", "depth", "position", "author_id", "x", "y"]]
n_total = int((comments["thread_id"] == thread_id).sum())
shown = "all" if len(layout) == n_total else f"the first {len(layout):,} (whole reply subtrees, in page order) of"
plotting.save_figure(fig, data, snakemake.output.png.removesuffix(".png"),
                     facts=f"One thread; {shown} its {n_total:,} comments are drawn.",
                     numbers={"thread_id": thread_id, "n_drawn": len(layout), "n_comments": n_total})
log.info("drew %d comments of thread %s", len(layout), thread_id)
