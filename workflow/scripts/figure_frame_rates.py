"""Rule figure_frame_rates: each frame's rate per 1,000 tokens, article vs comments, with 95% CIs."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis import io, plotting

log = io.setup_logging(snakemake.log[0], "figure_frame_rates")
rates = pd.read_csv(snakemake.input.rates, keep_default_na=False, na_values=[""])
data = rates[rates["by"] == "doc"]
frames = list(dict.fromkeys(rates["frame"]))
groups = [g for g in ("article", "comment") if g in set(data["group"])]
plotting.style()
fig, ax = plt.subplots(figsize=(6.4, 0.8 + 0.32 * len(frames)))
y = np.arange(len(frames))
for k, (g, colour) in enumerate(zip(groups, plotting.OKABE_ITO)):
    d = data[data["group"] == g].set_index("frame").reindex(frames)
    off = (k - (len(groups) - 1) / 2) * 0.25
    err = np.vstack([d["rate"] - d["ci_low"], d["ci_high"] - d["rate"]]).clip(min=0)
    ax.errorbar(d["rate"], y + off, xerr=err, fmt="o", color=colour, ms=4, capsize=2, lw=1,
                label=f"{g}s (n = {int(d['n_docs'].max())} documents)" if g == "comment" else g)
ax.set_yticks(y, [f.replace("_", " ") for f in frames])
ax.invert_yaxis()
ax.set_xlabel("Hits per 1,000 word tokens (95% CI)")
ax.set_xlim(left=0)
ax.legend(loc="lower right", fontsize=7)
first = rates.iloc[0] if len(rates) else None
n_docs = {g: int(data.loc[data["group"] == g, "n_docs"].max()) for g in groups}
facts = ("n = " + " and ".join(f"{n:,} {g} documents" for g, n in n_docs.items()) + "; "
         + (f"95% intervals from {int(first['n_boot']):,} bootstrap replicates over {first['unit']}." if first is not None else ""))
plotting.save_figure(fig, data, snakemake.output.png.removesuffix(".png"), facts=facts,
                     dictionaries=plotting.dictionaries_of(rates))
log.info("%d frames, groups %s", len(frames), groups)
