"""Rule figure_partisanship: leave-out partisanship vs its shuffled-label baseline, and the terms that divide most."""

import matplotlib.pyplot as plt

from analysis import io, plotting
from analysis.lexicons import lexicon_stamp, load_lexicon

log = io.setup_logging(snakemake.log[0], "figure_partisanship")
part = io.read_csv(snakemake.input.partisanship)
terms = io.read_csv(snakemake.input.terms)
plotting.style()
if part.empty:
    fig, ax = plt.subplots(figsize=(6.4, 1.2))
    ax.text(0.5, 0.5, "Partisanship not available for this corpus (see the text)", ha="center", va="center")
    ax.axis("off")
    data = part
else:
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, max(4.2, 1 + 0.7 * len(part))), gridspec_kw={"width_ratios": [2, 3]}, layout="constrained")
    labels = [f"{t}\n{a} vs {b}" for t, a, b in zip(part["tokens"], part["group_a"], part["group_b"])]
    y = range(len(part))
    ax.errorbar(part["estimate"], y, xerr=[part["estimate"] - part["ci_low"], part["ci_high"] - part["estimate"]],
                fmt="o", color=plotting.OKABE_ITO[0], capsize=3, label="observed (95% CI)")
    ax.errorbar(part["baseline_mean"], [v + 0.2 for v in y], xerr=[part["baseline_mean"] - part["baseline_low"],
                part["baseline_high"] - part["baseline_mean"]], fmt="s", color="#999999", capsize=3, label="shuffled labels")
    ax.axvline(0.5, color="#888888", lw=0.8, ls=":")
    ax.set_yticks(list(y), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("Leave-out partisanship (0.5 = no division)")
    ax.legend(fontsize=7, loc="lower right")
    top = terms[terms["tokens"] == "all tokens"].nlargest(20, "contribution").sort_values("contribution")
    colours = [plotting.OKABE_ITO[1] if f == "R" else plotting.OKABE_ITO[2] for f in top["favours"]]
    bx.barh(top["term"].astype(str), top["contribution"], color=colours)
    a = part["group_a"].iloc[0]
    bx.set_title(f"Most polarizing terms (orange: used more by {a}; green: by the others)", fontsize=8)
    bx.set_xlabel("Contribution to partisanship")
    bx.grid(axis="y", visible=False)
    data = part
if part.empty:
    facts = "Not available for this corpus: it needs two groups with two or more speakers each."
else:
    r = part.iloc[0]
    facts = (f"n = {int(r['n_authors_R']):,} and {int(r['n_authors_D']):,} speakers in the two groups; "
             f"{r['level']:.0%} intervals from {int(r['n_boot']):,} bootstrap replicates over speakers; "
             f"baseline from {int(r['n_perm']):,} shuffles of the group labels.")
plotting.save_figure(fig, data, snakemake.output.png.removesuffix(".png"), facts=facts,
                     dictionaries=lexicon_stamp(load_lexicon(p, check_terms=False) for p in snakemake.input.dictionaries))
log.info("%d comparisons", len(part))
