"""Rule figure_keyness: the terms that most distinguish each group (log-odds z-scores)."""

import matplotlib.pyplot as plt
import pandas as pd

from analysis import io, plotting

log = io.setup_logging(snakemake.log[0], "figure_keyness")
table = pd.read_csv(snakemake.input.keyness, keep_default_na=False, na_values=[""])
plotting.style()
if table.empty:
    fig, ax = plt.subplots(figsize=(6.4, 1.2))
    ax.text(0.5, 0.5, "No grouping with two or more groups: no keyness to show", ha="center", va="center")
    ax.axis("off")
    data = table
else:
    by = table["by"].iloc[0]
    data = table[table["by"] == by]
    groups = list(dict.fromkeys(data["group"]))[:4]
    top = pd.concat([data[data["group"] == g].nlargest(12, "z") for g in groups])
    fig, axes = plt.subplots(1, len(groups), figsize=(3.2 * len(groups), 3.6), squeeze=False)
    for ax, g, colour in zip(axes[0], groups, plotting.OKABE_ITO):
        d = top[top["group"] == g].sort_values("z")
        ax.barh(d["term"].astype(str), d["z"], color=colour)
        ax.set_title(f"{by} = {g}", fontsize=9)
        ax.set_xlabel("log-odds z-score")
        ax.grid(axis="y", visible=False)
    data = top
facts = ("No group had enough tokens for keyness." if table.empty else
         f"Top 12 terms of each of {len(groups)} groups (by {by}), ranked by the log-odds z-score with an informative "
         f"Dirichlet prior; {len(table):,} term-group scores in all; no resampling (z is the uncertainty scale).")
plotting.save_figure(fig, data, snakemake.output.png.removesuffix(".png"), facts=facts)
log.info("%d rows", len(data))
