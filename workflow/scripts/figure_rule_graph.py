"""Rule figure_rule_graph: the workflow's rules and what feeds what, from `snakemake --rulegraph`."""

import subprocess
import sys
import tempfile

import yaml

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch

from analysis import io, plotting, provenance

log = io.setup_logging(snakemake.log[0], "figure_rule_graph")
with tempfile.NamedTemporaryFile("w", suffix=".yaml", encoding="utf-8") as config:
    yaml.safe_dump(snakemake.params.config, config, sort_keys=False, allow_unicode=True)
    config.flush()
    cmd = [sys.executable, "-m", "snakemake", "--rulegraph", "--nolock", "--quiet", "all", "--configfile", config.name]
    done = subprocess.run(cmd, capture_output=True, text=True)
if done.returncode != 0:
    sys.exit(f"`{' '.join(cmd)}` failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
edges = provenance.parse_rule_graph(done.stdout)
pos = provenance.rule_graph_layers(edges)
n_layers = max(k for k, _ in pos.values()) + 1
width = max(len([r for r in pos if pos[r][0] == k]) for k in range(n_layers))
plotting.style()
fig, ax = plt.subplots(figsize=(max(6.4, 0.62 * width), 0.62 * n_layers + 0.4))
xy = {r: (x, -k) for r, (k, x) in pos.items()}
for a, b in edges.itertuples(index=False):
    if b:
        ax.add_patch(FancyArrowPatch(xy[a], xy[b], arrowstyle="-|>", mutation_scale=7, color="#999999", lw=0.7,
                                     shrinkA=7, shrinkB=7, zorder=1))
for rule, (x, y) in xy.items():
    colour = (plotting.OKABE_ITO[5] if rule == "figures" or rule.startswith("figure_") else plotting.OKABE_ITO[1] if rule in ("book", "all")
              else "#ffffff")
    ax.text(x, y, provenance.wrap_rule_name(rule), ha="center", va="center", fontsize=5, zorder=2, linespacing=1.0,
            bbox={"boxstyle": "round,pad=0.3", "fc": colour, "ec": "#555555", "lw": 0.6})
ax.set_xlim(min(x for x, _ in xy.values()) - 0.6, max(x for x, _ in xy.values()) + 0.6)
ax.set_ylim(-n_layers + 0.5, 0.5)
ax.axis("off")
n_rules = len(pos)
n_edges = int((edges["downstream"] != "").sum())
plotting.save_figure(fig, edges, snakemake.output.png.removesuffix(".png"),
                     facts=f"n = {n_rules} rules and {n_edges} dependencies, as Snakemake reports its rule graph for the "
                           "config as run; rules that work per shard run once per shard.")
log.info("%d rules, %d edges", n_rules, n_edges)
