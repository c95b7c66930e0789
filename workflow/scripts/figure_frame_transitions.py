"""Rule figure_frame_transitions: P(reply uses G | parent uses F) as a heatmap, and each frame's uptake with CIs."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis import io, plotting

log = io.setup_logging(snakemake.log[0], "figure_frame_transitions")
trans = pd.read_csv(snakemake.input.transitions)
trans = trans[trans["kind"] == "reply"]
uptake = pd.read_csv(snakemake.input.uptake)
uptake = uptake[uptake["kind"] == "reply"]
labels = list(dict.fromkeys(trans["parent_frame"]))
matrix = trans.pivot(index="parent_frame", columns="reply_frame", values="probability").reindex(index=labels, columns=labels)
plotting.style()
side = 1.2 + 0.38 * len(labels)
fig, (ax, bx) = plt.subplots(2, 1, figsize=(side + 2.2, 2 * side), gridspec_kw={"height_ratios": [3, 2]}, layout="constrained")
im = ax.imshow(matrix.to_numpy(dtype=float), cmap="cividis", vmin=0, vmax=1, aspect="auto")
names = [lab.replace("_", " ") for lab in labels]
ax.set_xticks(range(len(labels)), names, rotation=45, ha="right")
ax.set_yticks(range(len(labels)), [f"{n} (n={int(c)})" for n, c in zip(names, trans.groupby("parent_frame", sort=False)["n_parent"].first().reindex(labels))])
ax.set_xlabel("Reply uses")
ax.set_ylabel("Parent uses")
ax.grid(False)
fig.colorbar(im, ax=ax, shrink=0.8, label="P(reply uses column | parent uses row)")
u = uptake.set_index("frame").reindex(labels[:-1])
err = np.vstack([u["uptake"] - u["ci_low"], u["ci_high"] - u["uptake"]]).clip(min=0)
bx.errorbar(u["uptake"], range(len(u)), xerr=np.nan_to_num(err), fmt="o", color=plotting.OKABE_ITO[0], ms=4, capsize=2)
bx.axvline(0, color="#888888", lw=0.8)
bx.set_yticks(range(len(u)), names[:-1])
bx.invert_yaxis()
bx.set_xlabel("Uptake: P(reply | parent) - P(reply), 95% CI")
first = uptake.iloc[0] if len(uptake) else None
facts = (f"n = {int(first['n_pairs']):,} parent-reply pairs; uptake intervals from {int(first['n_boot']):,} bootstrap "
         f"replicates over {first['unit']}." if first is not None else "No parent-reply pairs in this corpus.")
plotting.save_figure(fig, trans, snakemake.output.png.removesuffix(".png"), facts=facts,
                     dictionaries=plotting.dictionaries_of(trans))
log.info("%d frames", len(labels) - 1)
