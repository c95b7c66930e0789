"""Rule figure_comments_per_depth: bar chart of comments at each reply depth."""

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator
import pandas as pd

from analysis import io, plotting

log = io.setup_logging(snakemake.log[0], "figure_comments_per_depth")
depth = pd.read_csv(snakemake.input.depth)
plotting.style()
fig, ax = plt.subplots(figsize=(6.4, 3.2))
ax.bar(depth["depth"], depth["n_comments"], color=plotting.OKABE_ITO[0], width=0.7)
if len(depth) <= 20:  # counts on the bars while they stay legible
    for d, n in zip(depth["depth"], depth["n_comments"]):
        ax.annotate(f"{n:,}", (d, n), ha="center", va="bottom", fontsize=7, xytext=(0, 2), textcoords="offset points")
ax.set_xlabel("Reply depth (1 = top-level comment)")
ax.set_ylabel("Comments")
ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=min(len(depth), 20)))
ax.set_xlim(0.4, depth["depth"].max() + 0.6)
positive = depth.loc[depth["n_comments"] > 0, "n_comments"]
if len(positive) and positive.max() / positive.min() > 50:  # a long tail: show it on a log scale
    ax.set_yscale("log")
    ax.set_ylabel("Comments (log scale)")
ax.grid(axis="x", visible=False)
ax.margins(y=0.12)
n_comments = int(depth["n_comments"].sum())
plotting.save_figure(fig, depth, snakemake.output.png.removesuffix(".png"),
                     facts=f"n = {n_comments:,} comments at {len(depth)} reply depths; counts, no sampling.")
log.info("%d depths", len(depth))
