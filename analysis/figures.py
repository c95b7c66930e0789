"""The figures of the book's data, framing and polarization chapters, one function per figure.

Each function draws one figure from the tables a rule wrote and saves it with
:func:`analysis.plotting.save_figure` under ``stem`` (``<results>/figures/<id>``):
PNG, SVG, PDF, the plotted data as CSV and the caption facts as JSON. The
function name is the figure id (the book's ``<!-- figure: <id> -->`` marker,
``workflow/report/<id>.rst``). The rule ``figures`` draws them all in one
job (:func:`draw`): the imports (pandas, matplotlib) are paid once, not once
per figure, and the figures are shared among forked processes, one per core.
Each returns a short line for the log. :func:`network_to_draw` counts the speakers and links the reply-network
figure draws.

Which figures there are, where each goes and what it is drawn from is listed
once, in :data:`analysis.figure_registry.FIGURES`: adding a figure means
writing its function here and its entry there. :func:`figures` (the rule
``figures``) draws the registry's figures of that rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from analysis import describe, plotting, provenance
from analysis.figure_registry import FIGURES
from analysis.parallel import forked_map

__all__ = [
    "figures", "draw", "comments_per_depth", "reply_tree", "frame_rates", "framing_index", "frame_transitions",
    "keyness",
    "partisanship", "reply_network", "rule_graph",
]


def draw(tasks: Mapping[str, Callable[[], str]], *, processes: int = 1) -> dict[str, str]:
    """Call each task (figure id -> a figure function's call, without arguments); its log line by figure id.

    With ``processes`` > 1 the tasks are shared among that many forked
    processes, handed out in the order given (put the slowest first) as
    workers come free. Each figure is drawn from its own inputs into its own
    files, so the files are those of one process drawing them in turn (a
    test checks the bytes); :func:`analysis.parallel.forked_map`.
    """
    ids = list(tasks)
    return dict(zip(ids, forked_map(lambda figure_id: tasks[figure_id](), ids, processes=processes)))


def _notice(ax, message: str) -> None:
    """Say in an empty panel why there is nothing to draw."""
    ax.text(0.5, 0.5, message, ha="center", va="center")
    ax.axis("off")


def _notice_figure(message: str) -> plt.Figure:
    """A one-line figure saying why there is nothing to draw."""
    fig, ax = plt.subplots(figsize=(6.4, 1.2))
    _notice(ax, message)
    return fig


# --------------------------------------------------------------------------
# data chapter


def comments_per_depth(stem: str | Path, *, depth: pd.DataFrame) -> str:
    """Bar chart of comments per reply depth (a log scale when the tail is long)."""
    plotting.style()
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    ax.bar(depth["depth"], depth["n_comments"], color=plotting.OKABE_ITO[0], width=0.7)
    if len(depth) <= 20:  # counts on the bars while they stay legible
        for d, n in zip(depth["depth"], depth["n_comments"]):
            ax.annotate(f"{n:,}", (d, n), ha="center", va="bottom", fontsize=7, xytext=(0, 2),
                        textcoords="offset points")
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
    plotting.save_figure(fig, depth, stem,
                         facts=f"n = {n_comments:,} comments at {len(depth)} reply depths; counts, no sampling.")
    return f"{len(depth)} depths"


def reply_tree(stem: str | Path, *, thread: pd.DataFrame, max_comments: int) -> str:
    """One thread's reply tree (its first whole subtrees, up to ``max_comments``): ``thread`` is its comments.

    The thread is chosen by :func:`analysis.describe.pick_example_thread`.
    """
    thread_id = str(thread["thread_id"].iloc[0])
    layout = describe.tree_layout(describe.first_subtrees(thread, max_comments=max_comments))
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
    for mask, colour, label in ((known, plotting.OKABE_ITO[1], "author known"),
                                (~known, plotting.OKABE_ITO[0], "author unknown")):
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
    n_total = len(thread)
    shown = "all" if len(layout) == n_total else f"the first {len(layout):,} (whole reply subtrees, in page order) of"
    plotting.save_figure(fig, data, stem, facts=f"One thread; {shown} its {n_total:,} comments are drawn.",
          numbers={"thread_id": thread_id, "n_drawn": len(layout), "n_comments": n_total})
    return f"drew {len(layout)} comments of thread {thread_id}"


# --------------------------------------------------------------------------
# framing chapter


def frame_rates(stem: str | Path, *, rates: pd.DataFrame) -> str:
    """Each frame's rate per 1,000 tokens, article vs comments, with 95% CIs."""
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
             + (f"95% intervals from {int(first['n_boot']):,} bootstrap replicates over {first['unit']}."
                if first is not None else ""))
    plotting.save_figure(fig, data, stem, facts=facts, dictionaries=plotting.dictionaries_of(rates))
    return f"{len(frames)} frames, groups {groups}"


def framing_index(stem: str | Path, *, index: pd.DataFrame) -> str:
    """The pooled framing index (A - B) / (A + B) by reply depth, with 95% CIs."""
    data = index[index["by"] == "depth"].copy()
    data["depth"] = data["group"].astype(int)
    plotting.style()
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    for k, ((a, b), d) in enumerate(data.groupby(["frame_a", "frame_b"], sort=False)):
        d = d.sort_values("depth")
        err = np.vstack([d["pooled"] - d["pooled_low"], d["pooled_high"] - d["pooled"]]).clip(min=0)
        ax.errorbar(d["depth"] + 0.08 * k, d["pooled"], yerr=err, fmt="o-", color=plotting.OKABE_ITO[k], ms=4,
                    capsize=2,
                    lw=1, label=f"{a.replace('_', ' ')} vs {b.replace('_', ' ')}")
        for x, yv, n in zip(d["depth"], d["pooled"], d["hits_a"] + d["hits_b"]):
            if np.isfinite(yv):
                ax.annotate(f"{n}", (x + 0.08 * k, yv), xytext=(4, 4), textcoords="offset points", fontsize=6,
                            color="#555555")
    ax.axhline(0, color="#888888", lw=0.8)
    ax.set_ylim(-1.05, 1.05)
    depths = sorted(data["depth"].unique())
    ax.set_xticks(depths, ["article" if d == 0 else str(d) for d in depths])
    ax.set_xlabel("Reply depth (0 = the article; numbers: hits of either frame)")
    ax.set_ylabel("Framing index (A - B) / (A + B)")
    ax.legend(loc="best", fontsize=7)
    first = index.iloc[0] if len(index) else None
    facts = (f"n = {int(data['n_docs_using'].sum()):,} documents using either frame, at {len(depths)} depths; "
             + (f"95% intervals from {int(first['n_boot']):,} bootstrap replicates over {first['unit']}."
                if first is not None else ""))
    plotting.save_figure(fig, data, stem, facts=facts, dictionaries=plotting.dictionaries_of(index))
    return f"{len(data)} depth rows"


def frame_transitions(stem: str | Path, *, transitions: pd.DataFrame, uptake: pd.DataFrame) -> str:
    """Which frame a reply uses given its parent's (a matrix), and each frame's uptake with 95% CIs."""
    trans = transitions[transitions["kind"] == "reply"]
    uptake = uptake[uptake["kind"] == "reply"]
    labels = list(dict.fromkeys(trans["parent_frame"]))
    matrix = (trans.pivot(index="parent_frame", columns="reply_frame", values="probability")
              .reindex(index=labels, columns=labels))
    plotting.style()
    side = 1.2 + 0.38 * len(labels)
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(side + 2.2, 2 * side), gridspec_kw={"height_ratios": [3, 2]},
                                 layout="constrained")
    im = ax.imshow(matrix.to_numpy(dtype=float), cmap="cividis", vmin=0, vmax=1, aspect="auto", interpolation="none")
    names = [lab.replace("_", " ") for lab in labels]
    ax.set_xticks(range(len(labels)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)),
                  [f"{n} (n={int(c)})" for n, c in zip(
                      names, trans.groupby("parent_frame", sort=False)["n_parent"].first().reindex(labels))])
    ax.set_xlabel("Reply uses")
    ax.set_ylabel("Parent uses")
    ax.grid(False)
    fig.colorbar(im, ax=ax, shrink=0.8, label="P(reply uses column | parent uses row)")
    u = uptake.set_index("frame").reindex(labels[:-1])
    err = np.vstack([u["uptake"] - u["ci_low"], u["ci_high"] - u["uptake"]]).clip(min=0)
    bx.errorbar(u["uptake"], range(len(u)), xerr=np.nan_to_num(err), fmt="o", color=plotting.OKABE_ITO[0], ms=4,
                capsize=2)
    bx.axvline(0, color="#888888", lw=0.8)
    bx.set_yticks(range(len(u)), names[:-1])
    bx.invert_yaxis()
    bx.set_xlabel("Uptake: P(reply | parent) - P(reply), 95% CI")
    first = uptake.iloc[0] if len(uptake) else None
    facts = (f"n = {int(first['n_pairs']):,} parent-reply pairs; "
             f"uptake intervals from {int(first['n_boot']):,} bootstrap "
             f"replicates over {first['unit']}." if first is not None else "No parent-reply pairs in this corpus.")
    plotting.save_figure(fig, trans, stem, facts=facts, dictionaries=plotting.dictionaries_of(trans))
    return f"{len(labels) - 1} frames"


def keyness(stem: str | Path, *, table: pd.DataFrame) -> str:
    """The 12 most distinctive terms of up to four groups of the first keyness grouping."""
    plotting.style()
    if table.empty:
        fig = _notice_figure("No grouping with two or more groups: no keyness to show")
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
             f"Top 12 terms of each of {len(groups)} groups (by {by}), "
             "ranked by the log-odds z-score with an informative "
             f"Dirichlet prior; {len(table):,} term-group scores in all; "
             "no resampling (z is the uncertainty scale).")
    plotting.save_figure(fig, data, stem, facts=facts)
    return f"{len(data)} rows"


# --------------------------------------------------------------------------
# polarization chapter


#: Strata drawn at most in the polarization figures (the most populous; all are in the tables).
MAX_STRATA_DRAWN = 12
WHOLE = "(whole corpus)"


def _strata_shown(table: pd.DataFrame, size: str) -> pd.DataFrame:
    """Rows of a measure table to draw: every row without strata; with strata, the whole-corpus rows, the pooled
    and between rows, and the :data:`MAX_STRATA_DRAWN` strata with the most ``size``."""
    if "stratum" not in table or table.empty:
        return table
    special = table["stratum"].isin([WHOLE, "(pooled)", "(between strata)"])
    strata = table[~special]
    if size in strata and strata["stratum"].nunique() > MAX_STRATA_DRAWN:
        top = strata.groupby("stratum")[size].max().sort_values(ascending=False, kind="stable")
        strata = strata[strata["stratum"].isin(top.index[:MAX_STRATA_DRAWN])]
    whole = table["stratum"] == WHOLE
    return pd.concat([table[special & whole], strata, table[special & ~whole]])


def _comparison_label(r: pd.Series) -> str:
    """A row of the partisanship table as a label: tokens, stratum (when stratified) and the groups compared."""
    stratum = r.get("stratum")
    a, b = r.get("group_a"), r.get("group_b")
    if isinstance(b, str) and b:
        groups = f"{a} vs {b}"
    else:
        groups = a if isinstance(a, str) and a else "groups of each stratum"
    if isinstance(stratum, str) and stratum != WHOLE:
        return f"{r['tokens']}, {stratum}\n{groups}"
    return f"{r['tokens']}\n{groups}"


def partisanship(stem: str | Path, *, part: pd.DataFrame, terms: pd.DataFrame, dictionaries: str) -> str:
    """Leave-out partisanship against its shuffled-label baseline and chance (1/K for K groups), and the most
    polarizing terms; with strata, the whole corpus, the largest strata, their pooled and the between-strata
    estimates."""
    plotting.style()
    shown = _strata_shown(part, "n_speakers").reset_index(drop=True)
    if not part.empty:
        shown = shown[shown["estimate"].notna()].reset_index(drop=True)
    if shown.empty:
        fig = _notice_figure("Partisanship not available for this corpus (see the text)")
        data = part
    else:
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, max(4.2, 1 + 0.7 * len(shown))),
                                     gridspec_kw={"width_ratios": [2, 3]}, layout="constrained")
        labels = [_comparison_label(r) for _, r in shown.iterrows()]
        y = range(len(shown))
        # a percentile interval of a biased statistic need not hold its estimate: no negative bar
        ax.errorbar(shown["estimate"], y, xerr=[(shown["estimate"] - shown["ci_low"]).fillna(0).clip(lower=0),
                                                (shown["ci_high"] - shown["estimate"]).fillna(0).clip(lower=0)],
                    fmt="o", color=plotting.OKABE_ITO[0], capsize=3, label="observed (95% CI)")
        ax.errorbar(shown["baseline_mean"], [v + 0.2 for v in y],
                    xerr=[(shown["baseline_mean"] - shown["baseline_low"]).fillna(0).clip(lower=0),
                          (shown["baseline_high"] - shown["baseline_mean"]).fillna(0).clip(lower=0)], fmt="s",
                    color="#999999",
                    capsize=3, label="shuffled labels")
        chance = shown["chance"].fillna(0.5) if "chance" in shown else pd.Series(0.5, index=shown.index)
        ax.scatter(chance, y, marker="|", s=200, color="#444444", label="chance (1/K)")
        ax.set_yticks(list(y), labels, fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel("Leave-out partisanship (chance: 1/K for K groups)")
        ax.legend(fontsize=7, loc="lower right")
        a = shown["group_a"].dropna().astype(str)
        a = next((g for g in a if not g.startswith("(")), a.iloc[0] if len(a) else "")
        top = terms[(terms["tokens"] == "all tokens") & (terms["group_a"].astype(str) == a)] if len(terms) else terms
        top = top.nlargest(20, "contribution").sort_values("contribution") if len(top) else top
        colours = [plotting.OKABE_ITO[1] if f == "R" else plotting.OKABE_ITO[2] for f in top.get("favours", [])]
        if len(top):
            bx.barh(top["term"].astype(str), top["contribution"], color=colours)
        bx.set_title(f"Most polarizing terms (orange: used more by {a}; green: by the others)", fontsize=8)
        bx.set_xlabel("Contribution to partisanship")
        bx.grid(axis="y", visible=False)
        data = shown
    if shown.empty:
        facts = "Not available for this corpus: it needs two groups with two or more speakers each."
    else:
        r = shown.iloc[0]
        if "n_authors_R" in r and pd.notna(r["n_authors_R"]):
            who = f"n = {int(r['n_authors_R']):,} and {int(r['n_authors_D']):,} speakers in the two groups"
        else:
            who = f"n = {int(r['n_a']):,} speakers with a group" if "n_a" in r and pd.notna(r["n_a"]) else \
                f"n = {int(r['n_speakers']):,} speakers with a group"
        facts = (f"{who}; {r['level']:.0%} intervals from {int(r['n_boot']):,} bootstrap replicates over speakers; "
                 f"baseline from {int(r['n_perm']):,} shuffles of the group labels"
                 + (f"; {len(shown)} of {len(part)} rows drawn (all are in the table)." if len(shown) < len(part)
                    else "."))
    plotting.save_figure(fig, data, stem, facts=facts, dictionaries=dictionaries)
    return f"{len(part)} comparisons"


def network_to_draw(edges: pd.DataFrame, max_nodes: int = 400) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The speakers and links the reply-network figure draws, from the reply table ``edges`` (one row per
    child author, parent author and their groups, with the number of ``replies``).

    Replies to oneself are left out; the two directions of a pair of speakers make one link whose
    ``weight`` is the sum of their replies. A speaker's activity is the sum of the weights of its links; when
    there are more than ``max_nodes`` speakers, the ``max_nodes`` most active are kept (ties by name) with
    every link between two of them. A speaker's group is the one its last row gives it (as child or parent,
    in that order within a row). Returns ``(nodes, links)``: ``nodes`` has ``speaker``, ``group`` and
    ``activity`` in the order each speaker first appears (child before parent within a row); ``links`` has
    ``u``, ``v`` (child and parent of the pair's first row) and ``weight`` in the order each pair first
    appears. Counted with pandas and numpy in a few passes over the table, not row by row.
    """
    if not len(edges):
        return (pd.DataFrame({"speaker": [], "group": [], "activity": []}),
                pd.DataFrame({"u": [], "v": [], "weight": []}))
    e = edges[(edges["child_author"] != edges["parent_author"]).to_numpy()]
    n = len(e)
    speakers = np.empty(2 * n, dtype=object)  # child, parent of row 0, then of row 1, ...
    speakers[0::2], speakers[1::2] = e["child_author"].to_numpy(dtype=object), e["parent_author"].to_numpy(dtype=object)
    groups = np.empty(2 * n, dtype=object)
    groups[0::2], groups[1::2] = e["child_group"].to_numpy(dtype=object), e["parent_group"].to_numpy(dtype=object)
    codes, names = pd.factorize(speakers, use_na_sentinel=False)  # codes in order of first appearance
    k = len(names)
    replies = e["replies"].to_numpy()
    activity = np.bincount(codes, weights=np.repeat(replies, 2), minlength=k).astype(replies.dtype)
    _, last_reversed = np.unique(codes[::-1], return_index=True)  # each speaker's last row, counted from the end
    group = groups[2 * n - 1 - last_reversed]
    keep = np.ones(k, dtype=bool)
    if k > max_nodes:  # the most active speakers, ties by name
        rank = pd.DataFrame({"minus": -activity, "name": pd.Index(names).astype(str)}).sort_values(["minus", "name"])
        keep[:] = False
        keep[rank.index[:max_nodes]] = True
    nodes = pd.DataFrame({"speaker": names[keep], "group": group[keep], "activity": activity[keep]})
    child, parent = codes[0::2], codes[1::2]
    inside = keep[child] & keep[parent]
    child, parent, replies = child[inside], parent[inside], replies[inside]
    pair, _ = pd.factorize(np.minimum(child, parent).astype(np.int64) * k + np.maximum(child, parent))
    _, first = np.unique(pair, return_index=True)  # each pair's first row, pairs in order of first appearance
    weight = np.bincount(pair, weights=replies, minlength=len(first)).astype(replies.dtype)
    links = pd.DataFrame({"u": names[child[first]], "v": names[parent[first]], "weight": weight})
    return nodes, links


def reply_network(stem: str | Path, *, edges: pd.DataFrame, incivility: pd.DataFrame, network: pd.DataFrame,
                  dictionaries: str, seed: int) -> str:
    """Who replies to whom (the 400 most active speakers, :func:`network_to_draw`), cross-group replies and incivility
    with 95% CIs."""
    import networkx as nx  # only this figure needs it

    plotting.style()
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 4.6), gridspec_kw={"width_ratios": [3, 2]}, layout="constrained")
    nodes, links = network_to_draw(edges, max_nodes=400)
    G = nx.Graph()
    G.add_nodes_from(nodes["speaker"])
    G.add_weighted_edges_from(zip(links["u"], links["v"], links["weight"].tolist()))
    groups = sorted({str(g) for g in nodes["group"]} - {"", "nan"})
    palette = {g: plotting.OKABE_ITO[i % 7] for i, g in enumerate(groups)}
    if G.number_of_nodes():
        pos = nx.spring_layout(G, seed=seed, weight="weight")
        # thousands of overlapping links: a 300 dpi raster in the SVG and PDF
        nx.draw_networkx_edges(G, pos, ax=ax, alpha=0.25, width=0.5).set_rasterized(G.number_of_edges() > 2000)
        colours = [palette.get(str(g), "#bbbbbb") for g in nodes["group"]]
        nx.draw_networkx_nodes(G, pos, ax=ax, node_size=18, node_color=colours, linewidths=0)
        for g, c in palette.items():
            ax.scatter([], [], color=c, label=g)
        ax.scatter([], [], color="#bbbbbb", label="no group")
        ax.legend(fontsize=7, loc="lower left", frameon=False)
    ax.set_title(f"Reply network: {G.number_of_nodes()} speakers, {G.number_of_edges()} links", fontsize=9)
    ax.axis("off")
    rows = []
    by_stratum = _strata_shown(network, "n_pairs")
    if "stratum" in network:  # the whole corpus first, as without strata; then the strata's cross-group shares
        network = network[network["stratum"] == WHOLE]
        incivility = incivility[incivility["stratum"] == WHOLE] if "stratum" in incivility else incivility
    if len(network):
        for q, label in (("cross_share", "cross-group replies, observed"),
                         ("expected_share", "expected under random mixing")):
            r = network.set_index("quantity").loc[q]
            rows.append((label, r["estimate"], r["ci_low"], r["ci_high"]))
    if len(incivility):
        for t in ("cross-group", "same-group"):
            r = incivility.set_index("reply_type").loc[t]
            rows.append((f"uncivil share, {t} replies", r["share"], r["share_low"], r["share_high"]))
    if "stratum" in by_stratum:
        for _, r in by_stratum[(by_stratum["quantity"] == "cross_share") & (by_stratum["stratum"] != WHOLE)].iterrows():
            rows.append((f"cross-group replies, {r['stratum']}", r["estimate"], r["ci_low"], r["ci_high"]))
    if rows:
        d = pd.DataFrame(rows, columns=["quantity", "estimate", "ci_low", "ci_high"])
        bx.errorbar(d["estimate"], range(len(d)),
                    xerr=[(d["estimate"] - d["ci_low"]).fillna(0).clip(lower=0),
                          (d["ci_high"] - d["estimate"]).fillna(0).clip(lower=0)],
                    fmt="o", color=plotting.OKABE_ITO[0], capsize=3)
        bx.set_yticks(range(len(d)), d["quantity"], fontsize=7)
        bx.invert_yaxis()
        bx.set_xlim(0, 1)
        bx.set_xlabel("Share of replies (95% CI)")
    else:
        d = pd.DataFrame(columns=["quantity", "estimate", "ci_low", "ci_high"])
        _notice(bx, "No replies between speakers\nwith known groups")
    if len(network):
        r = network.iloc[0]
        facts = (f"n = {G.number_of_nodes():,} speakers drawn, "
                 f"{int(r['n_pairs']):,} replies between speakers with known groups; "
                 f"95% intervals from {int(r['n_boot']):,} bootstrap replicates over {r['unit']}s.")
    else:
        facts = "No replies between speakers with known groups in this corpus."
    plotting.save_figure(fig, d, stem, facts=facts, dictionaries=dictionaries, raster_dpi=300)
    return f"{G.number_of_nodes()} nodes"


# --------------------------------------------------------------------------
# reproducibility chapter


def rule_graph(stem: str | Path, *, edges: pd.DataFrame) -> str:
    """The workflow's rules and what feeds what (``edges``: :func:`analysis.provenance.rule_graph`), drawn in layers
    (:func:`analysis.provenance.rule_graph_layers`); the figures' rules in blue, the book's in orange."""
    from matplotlib.patches import FancyArrowPatch

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
        colour = (plotting.OKABE_ITO[5] if rule == "figures" or rule.startswith("figure_")
                  else plotting.OKABE_ITO[1] if rule in ("book", "all") else "#ffffff")
        ax.text(x, y, provenance.wrap_rule_name(rule), ha="center", va="center", fontsize=5, zorder=2, linespacing=1.0,
                bbox={"boxstyle": "round,pad=0.3", "fc": colour, "ec": "#555555", "lw": 0.6})
    ax.set_xlim(min(x for x, _ in xy.values()) - 0.6, max(x for x, _ in xy.values()) + 0.6)
    ax.set_ylim(-n_layers + 0.5, 0.5)
    ax.axis("off")
    n_rules = len(pos)
    n_edges = int((edges["downstream"] != "").sum())
    plotting.save_figure(fig, edges, stem,
                         facts=f"n = {n_rules} rules and {n_edges} dependencies, "
                               "as Snakemake reports its rule graph for the "
                               "config as run; rules that work per shard run once per shard.")
    return f"{n_rules} rules, {n_edges} edges"


# --------------------------------------------------------------------------
# the rule


def figures(inputs: Mapping[str, str | Sequence[str]], params: Mapping[str, Mapping], stems: Mapping[str, str], *,
            processes: int = 1) -> dict[str, str]:
    """Rule figures: draw the figures of :data:`analysis.figure_registry.FIGURES` that the rule ``figures`` draws
    (those of ``stems``); each one's log line by id.

    ``inputs[id]`` and ``params[id]`` are the figure's resolved inputs and
    params (by the names of its entry), ``stems[id]`` where its files go
    (``<results>/figures/<id>``). The most costly figures are handed to the
    processes first (:func:`draw`).
    """
    order = sorted(stems, key=lambda name: -FIGURES[name].cost)
    module = globals()
    tasks = {name: (lambda name=name: module[name](stems[name], **FIGURES[name].read(inputs[name], params[name])))
             for name in order}
    return draw(tasks, processes=processes)
