"""Rule figure_framing_index: the framing index (A - B)/(A + B) by reply depth, with 95% CIs."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis import io, plotting

log = io.setup_logging(snakemake.log[0], "figure_framing_index")
index = pd.read_csv(snakemake.input.index)
data = index[index["by"] == "depth"].copy()
data["depth"] = data["group"].astype(int)
plotting.style()
fig, ax = plt.subplots(figsize=(6.4, 3.4))
for k, ((a, b), d) in enumerate(data.groupby(["frame_a", "frame_b"], sort=False)):
    d = d.sort_values("depth")
    err = np.vstack([d["pooled"] - d["pooled_low"], d["pooled_high"] - d["pooled"]]).clip(min=0)
    ax.errorbar(d["depth"] + 0.08 * k, d["pooled"], yerr=err, fmt="o-", color=plotting.OKABE_ITO[k], ms=4, capsize=2,
                lw=1, label=f"{a.replace('_', ' ')} vs {b.replace('_', ' ')}")
    for x, yv, n in zip(d["depth"], d["pooled"], d["hits_a"] + d["hits_b"]):
        if np.isfinite(yv):
            ax.annotate(f"{n}", (x + 0.08 * k, yv), xytext=(4, 4), textcoords="offset points", fontsize=6, color="#555555")
ax.axhline(0, color="#888888", lw=0.8)
ax.set_ylim(-1.05, 1.05)
depths = sorted(data["depth"].unique())
ax.set_xticks(depths, ["article" if d == 0 else str(d) for d in depths])
ax.set_xlabel("Reply depth (0 = the article; numbers: hits of either frame)")
ax.set_ylabel("Framing index (A - B) / (A + B)")
ax.legend(loc="best", fontsize=7)
first = index.iloc[0] if len(index) else None
facts = (f"n = {int(data['n_docs_using'].sum()):,} documents using either frame, at {len(depths)} depths; "
         + (f"95% intervals from {int(first['n_boot']):,} bootstrap replicates over {first['unit']}." if first is not None else ""))
plotting.save_figure(fig, data, snakemake.output.png.removesuffix(".png"), facts=facts,
                     dictionaries=plotting.dictionaries_of(index))
log.info("%d depth rows", len(data))
