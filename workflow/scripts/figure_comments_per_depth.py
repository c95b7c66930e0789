"""Rule figure_comments_per_depth: bar chart of comments at each reply depth."""

import matplotlib.pyplot as plt
import pandas as pd

from analysis import io, plotting

log = io.setup_logging(snakemake.log[0], "figure_comments_per_depth")
depth = pd.read_csv(snakemake.input.depth)
plotting.style()
fig, ax = plt.subplots(figsize=(6.4, 3.2))
ax.bar(depth["depth"], depth["n_comments"], color=plotting.OKABE_ITO[0], width=0.7)
for d, n in zip(depth["depth"], depth["n_comments"]):
    ax.annotate(f"{n:,}", (d, n), ha="center", va="bottom", fontsize=7, xytext=(0, 2), textcoords="offset points")
ax.set_xlabel("Reply depth (1 = top-level comment)")
ax.set_ylabel("Comments")
ax.set_xticks(depth["depth"])
ax.grid(axis="x", visible=False)
ax.margins(y=0.12)
plotting.save_figure(fig, depth, snakemake.output.png.removesuffix(".png"))
log.info("%d depths", len(depth))
