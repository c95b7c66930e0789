"""Rule figure_reply_network: who replies to whom, coloured by group; cross-group replies and incivility with CIs."""

import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd

from analysis import io, plotting
from analysis.lexicons import lexicon_stamp, load_lexicon

log = io.setup_logging(snakemake.log[0], "figure_reply_network")
edges, inc, net = (io.read_csv(p) for p in (snakemake.input.edges, snakemake.input.incivility, snakemake.input.network))
plotting.style()
fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 4.6), gridspec_kw={"width_ratios": [3, 2]}, layout="constrained")
G = nx.Graph()
for r in edges.itertuples() if len(edges) else []:
    if r.child_author != r.parent_author:
        G.add_edge(r.child_author, r.parent_author, weight=G.get_edge_data(r.child_author, r.parent_author, {"weight": 0})["weight"] + r.replies)
        G.nodes[r.child_author]["group"], G.nodes[r.parent_author]["group"] = r.child_group, r.parent_group
if G.number_of_nodes() > 400:  # the 400 most active speakers keep the drawing legible
    keep = sorted(G.degree(weight="weight"), key=lambda d: (-d[1], str(d[0])))[:400]
    G = G.subgraph([n for n, _ in keep]).copy()
groups = sorted({str(d.get("group", "")) for _, d in G.nodes(data=True)} - {"", "nan"})
palette = {g: plotting.OKABE_ITO[i % 7] for i, g in enumerate(groups)}
if G.number_of_nodes():
    pos = nx.spring_layout(G, seed=snakemake.params.seed, weight="weight")
    nx.draw_networkx_edges(G, pos, ax=ax, alpha=0.25, width=0.5)
    colours = [palette.get(str(G.nodes[n].get("group", "")), "#bbbbbb") for n in G.nodes]
    nx.draw_networkx_nodes(G, pos, ax=ax, node_size=18, node_color=colours, linewidths=0)
    for g, c in palette.items():
        ax.scatter([], [], color=c, label=g)
    ax.scatter([], [], color="#bbbbbb", label="no group")
    ax.legend(fontsize=7, loc="lower left", frameon=False)
ax.set_title(f"Reply network: {G.number_of_nodes()} speakers, {G.number_of_edges()} links", fontsize=9)
ax.axis("off")
rows = []
if len(net):
    for q, label in (("cross_share", "cross-group replies, observed"), ("expected_share", "expected under random mixing")):
        r = net.set_index("quantity").loc[q]
        rows.append((label, r["estimate"], r["ci_low"], r["ci_high"]))
if len(inc):
    for t in ("cross-group", "same-group"):
        r = inc.set_index("reply_type").loc[t]
        rows.append((f"uncivil share, {t} replies", r["share"], r["share_low"], r["share_high"]))
if rows:
    d = pd.DataFrame(rows, columns=["quantity", "estimate", "ci_low", "ci_high"])
    bx.errorbar(d["estimate"], range(len(d)), xerr=[(d["estimate"] - d["ci_low"]).fillna(0), (d["ci_high"] - d["estimate"]).fillna(0)],
                fmt="o", color=plotting.OKABE_ITO[0], capsize=3)
    bx.set_yticks(range(len(d)), d["quantity"], fontsize=7)
    bx.invert_yaxis()
    bx.set_xlim(0, 1)
    bx.set_xlabel("Share of replies (95% CI)")
else:
    d = pd.DataFrame(columns=["quantity", "estimate", "ci_low", "ci_high"])
    bx.text(0.5, 0.5, "No replies between speakers\nwith known groups", ha="center", va="center")
    bx.axis("off")
if len(net):
    r = net.iloc[0]
    facts = (f"n = {G.number_of_nodes():,} speakers drawn, {int(r['n_pairs']):,} replies between speakers with known groups; "
             f"95% intervals from {int(r['n_boot']):,} bootstrap replicates over {r['unit']}s.")
else:
    facts = "No replies between speakers with known groups in this corpus."
plotting.save_figure(fig, d, snakemake.output.png.removesuffix(".png"), facts=facts,
                     dictionaries=lexicon_stamp(load_lexicon(p, check_terms=False) for p in snakemake.input.dictionaries))
log.info("%d nodes", G.number_of_nodes())
