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

import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from analysis import describe, plotting, provenance
from analysis.book import KEYNESS_MIN_Z
from analysis.figure_registry import FIGURES
from analysis.frame_rates import DEPTH_BAND_FROM, band_order
from analysis.parallel import forked_map
from analysis.render import fmt_number

__all__ = [
    "figures", "draw", "comments_per_depth", "languages", "reply_tree", "frame_rates", "frame_rates_by_group",
    "framing_over_time", "framing_index", "frame_transitions", "keyness", "partisanship", "reply_network",
    "rule_graph", "MAX_GROUPS", "DEPTH_BIN_FROM", "MAX_TREE_DEPTH",
]

#: The most groups a figure draws one by one; the rest are pooled as "other".
MAX_GROUPS = 7
#: Reply depths up to this one are drawn one by one; deeper ones in bins of doubling width (depth_bins).
DEPTH_BIN_FROM = 12
#: The deepest level of a reply tree drawn; deeper replies are collapsed into a count.
MAX_TREE_DEPTH = 40


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


def _is_term_text(term) -> bool:
    """A term worth a bar in a term chart: it has a letter and is not a URL or web address."""
    t = str(term).lower()
    return (any(c.isalpha() for c in t) and "://" not in t and not t.startswith("www.")
            and not re.search(r"\.(com|org|net|edu|gov|co|uk|de|html?|php)(/|$|\?)", t))


def _missing(values) -> pd.Series:
    """Which group labels stand for a missing value (no panel or bar is drawn for them)."""
    v = pd.Series(values)
    return (v.isna() | v.astype(object).map(lambda x: str(x).strip()).isin(["", "nan", "NaN", "None", "<NA>", "NaT",
                                                                             "null"])).to_numpy()


def _colour_map(colours: pd.DataFrame | None, by: str) -> dict[str, str]:
    """The run's colour of each group of grouping ``by`` (:func:`analysis.plotting.group_colours`)."""
    if colours is None or not len(colours):
        return {}
    part = colours[colours["by"].astype(str) == str(by)]
    return dict(zip(part["group"].astype(str), part["colour"]))


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


def languages(stem: str | Path, *, shares: pd.DataFrame, languages: Sequence[str]) -> str:
    """Share of comments in each language (:func:`analysis.language.shares`: ``language``, ``n``, ``share``,
    ``configured``), the study's configured ``languages`` in blue, others orange, undetermined grey; beyond
    :data:`MAX_GROUPS` bars the rest are pooled as "other". The data file is ``shares`` itself."""
    from analysis.language import UNDETERMINED, model_name

    total = int(shares["n"].sum()) if len(shares) else 0
    outside = float(shares.loc[~shares["configured"] & (shares["language"] != UNDETERMINED), "share"].sum())
    numbers = {"n_comments": total, "share_outside": round(outside, 4), "model": model_name(),
               "configured": list(languages)}
    plotting.style()
    if not total:
        plotting.save_figure(_notice_figure("No comment: no languages to show"), shares, stem,
                             facts="No figure of the comments' languages: the corpus has no comment.", numbers=numbers)
        return "0 comments: no figure"
    top = shares.head(MAX_GROUPS)
    rest = shares.iloc[MAX_GROUPS:]
    labels = top["language"].tolist() + (["other"] if len(rest) else [])
    values = top["share"].tolist() + ([float(rest["share"].sum())] if len(rest) else [])
    colours = [plotting.OKABE_ITO[0] if c else ("#999999" if lang == UNDETERMINED else plotting.OKABE_ITO[1])
               for lang, c in zip(top["language"], top["configured"])] + (["#999999"] if len(rest) else [])
    fig, ax = plt.subplots(figsize=(5.2, 0.9 + 0.3 * len(labels)), layout="constrained")
    y = np.arange(len(labels))[::-1]
    ax.barh(y, values, color=colours, height=0.65)
    for k, v in zip(y, values):
        ax.annotate(f"{v:.1%}", (v, k), va="center", ha="left", fontsize=7, xytext=(2, 0), textcoords="offset points")
    ax.set_yticks(y, labels)
    ax.set_xlim(0, min(1.0, max(values) * 1.2 + 0.05))
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:.0%}"))
    ax.set_xlabel("Share of comments")
    plotting.save_figure(
        fig, shares, stem, numbers=numbers,
        facts=f"n = {total:,} comments; configured languages: {', '.join(languages)} (blue); others orange, "
              f"undetermined (und: no letters or under two words) grey; {outside:.1%} of the comments are in a "
              f"language outside the configured ones. Identified with {model_name()} unless a source declared "
              "its language.")
    return f"{len(shares)} language label(s)"


def comments_per_depth(stem: str | Path, *, depth: pd.DataFrame) -> str:
    """Bar chart of comments per reply depth (deep levels in bins, :func:`depth_bins`; a log scale when the tail
    is long)."""
    if len(depth) == 1 and int(depth["depth"].iloc[0]) == 1:  # one bar says only that nothing replies
        n = int(depth["n_comments"].iloc[0])
        plotting.save_figure(_notice_figure("Every comment is top level: no reply depths to compare"),
                             depth.iloc[0:0], stem,
                             facts=f"No figure of comments per reply depth: all {n:,} comments are top level "
                                   "(depth 1); the corpus has no reply links.")
        return "1 depth: no figure"
    labels, first = describe.depth_bins(depth["depth"], start=DEPTH_BIN_FROM)
    data = (depth.assign(bin=labels, first=first).groupby(["first", "bin"], as_index=False, sort=True)["n_comments"]
            .sum())
    plotting.style()
    fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
    x = np.arange(len(data))
    ax.bar(x, data["n_comments"], color=plotting.OKABE_ITO[0], width=0.7)
    if len(data) <= 14:  # counts on the bars while they stay legible
        for k, n in zip(x, data["n_comments"]):
            ax.annotate(f"{n:,}", (k, n), ha="center", va="bottom", fontsize=6 if n >= 10_000 else 7, xytext=(0, 2),
                        textcoords="offset points")
    binned = len(data) < len(depth)
    ax.set_xticks(x, data["bin"], rotation=90 if binned else 0)
    ax.set_xlabel("Reply depth (1 = top-level comment" + ("; deep levels in bins)" if binned else ")"))
    ax.set_ylabel("Comments")
    ax.set_xlim(-0.6, len(data) - 0.4)
    positive = data.loc[data["n_comments"] > 0, "n_comments"]
    if len(positive) and positive.max() / positive.min() > 50:  # a long tail: show it on a log scale
        ax.set_yscale("log")
        ax.set_ylabel("Comments (log scale)")
    else:
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.grid(axis="x", visible=False)
    ax.margins(y=0.12)
    n_comments = int(depth["n_comments"].sum())
    plotting.save_figure(fig, depth, stem,
                         facts=f"n = {n_comments:,} comments at {len(depth)} reply depths"
                               + (f", drawn in {len(data)} bins (depths past {DEPTH_BIN_FROM} in bins of doubling "
                                  "width)" if binned else "") + "; counts, no sampling.")
    return f"{len(depth)} depths in {len(data)} bars"


def reply_tree(stem: str | Path, *, thread: pd.DataFrame, max_comments: int) -> str:
    """One thread's reply tree (its first whole subtrees, up to ``max_comments``): ``thread`` is its comments.

    The thread is chosen by :func:`analysis.describe.pick_example_thread`. Replies deeper than
    :data:`MAX_TREE_DEPTH` are collapsed: their ancestor at that depth is drawn as a triangle and a note
    counts them, so the canvas stays bounded however deep the thread.
    """
    thread_id = str(thread["thread_id"].iloc[0])
    if not (thread["depth"] > 1).any():  # a row of dots is no tree: say so instead
        columns = ["thread_id", "comment_id", "parent_id", "depth", "position", "author_id", "x", "y"]
        plotting.save_figure(_notice_figure("The example thread has no replies: no tree to draw"),
                             pd.DataFrame(columns=columns), stem,
                             facts=f"No reply tree: the {len(thread):,} comments of the example thread are all top "
                                   "level (the corpus has no reply links).",
                             numbers={"thread_id": thread_id, "n_drawn": 0, "n_comments": len(thread),
                                      "n_collapsed": 0})
        return f"thread {thread_id} has no replies: no tree"
    chosen = describe.first_subtrees(thread, max_comments=max_comments)
    shown = chosen[chosen["depth"] <= MAX_TREE_DEPTH]
    hidden = chosen[chosen["depth"] > MAX_TREE_DEPTH]
    layout = describe.tree_layout(shown)
    collapsed = layout["depth"].eq(MAX_TREE_DEPTH) & layout["comment_id"].isin(set(hidden["parent_id"])) if len(
        hidden) else pd.Series(False, index=layout.index)
    plotting.style()
    n, depth = len(layout), int(layout["y"].max())
    width = min(12.0, max(5.0, 0.28 * (layout["x"].max() + 1)))
    fig, ax = plt.subplots(figsize=(width, 1.4 + (0.55 if depth <= 8 else 0.3) * depth), layout="constrained")
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
    if collapsed.any():
        ax.scatter(layout.loc[collapsed, "x"], layout.loc[collapsed, "y"] + 0.6, s=size * 1.5, marker="v",
                   color="#555555", zorder=2, label=f"{len(hidden):,} deeper replies collapsed")
    if n <= 60 and layout["x"].max() + 1 >= n / 2:  # ids inside the dots while the dots stand apart
        for row in layout.itertuples():
            ax.annotate(plotting.short_label(row.comment_id, width=4), (row.x, row.y), ha="center", va="center",
                        fontsize=5, color="white", zorder=3)
    ax.invert_yaxis()
    step = max(1, int(np.ceil(depth / 20)))
    ax.set_yticks(range(1, depth + 1, step))
    ax.set_ylabel("Reply depth")
    ax.set_xticks([])
    ax.grid(False)
    ax.spines["bottom"].set_visible(False)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=7, ncols=3)
    data = layout[["thread_id", "comment_id", "parent_id", "depth", "position", "author_id", "x", "y"]]
    n_total = len(thread)
    drawn = "all" if len(layout) == n_total else f"the first {len(layout):,} (whole reply subtrees, in page order) of"
    note = (f" The {len(hidden):,} replies deeper than {MAX_TREE_DEPTH} (down to depth {int(hidden['depth'].max()):,})"
            " are collapsed into the triangles." if len(hidden) else "")
    plotting.save_figure(fig, data, stem, facts=f"One thread; {drawn} its {n_total:,} comments are drawn.{note}",
                         numbers={"thread_id": thread_id, "n_drawn": len(layout), "n_comments": n_total,
                                  "n_collapsed": len(hidden)})
    return f"drew {len(layout)} comments of thread {thread_id}" + (f", {len(hidden)} collapsed" if len(hidden) else "")


# --------------------------------------------------------------------------
# framing chapter


def frame_rates(stem: str | Path, *, rates: pd.DataFrame, colours: pd.DataFrame | None = None) -> str:
    """Each frame's rate per 1,000 tokens, article vs comments, with 95% CIs."""
    data = rates[rates["by"] == "doc"]
    frames = list(dict.fromkeys(rates["frame"]))
    groups = [g for g in ("article", "comment") if g in set(data["group"])]
    palette = _colour_map(colours, "doc")
    plotting.style()
    if not frames:  # no frame dictionary: a notice, and a data file with no row (the book leaves the figure out)
        plotting.save_figure(_notice_figure("No frame dictionary in this run (config key lexicons is empty)"), data,
                             stem, facts="n = 0 frames: this run has no frame dictionary.",
                             dictionaries=plotting.dictionaries_of(rates))
        return "0 frames: no frame dictionary"
    fig, ax = plt.subplots(figsize=(6.4, 0.8 + 0.32 * min(len(frames), 40)), layout="constrained")
    y = np.arange(len(frames))
    for k, g in enumerate(groups):
        d = data[data["group"] == g].set_index("frame").reindex(frames)
        off = (k - (len(groups) - 1) / 2) * 0.25
        err = np.vstack([d["rate"] - d["ci_low"], d["ci_high"] - d["rate"]]).clip(min=0)
        ax.errorbar(d["rate"], y + off, xerr=err, fmt="o", color=palette.get(g, plotting.OKABE_ITO[k]), ms=4,
                    capsize=2, lw=1,
                    label=f"{g}s (n = {int(d['n_docs'].max())} documents)" if g == "comment" else g)
    ax.set_yticks(y, [_frame_label(f) for f in frames])
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


def _two_lines(text, width: int = 26) -> str:
    """Data text as a label of at most two lines of ``width`` characters: wrapped at spaces, the rest of a longer
    text shortened in the second line (:func:`analysis.plotting.short_label`, which also makes it inert)."""
    lines = textwrap.wrap(" ".join(str(text).split()), width=width, break_long_words=True) or [""]
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return "\n".join(plotting.short_label(line, width=width) for line in lines)


def _frame_label(frame, width: int = 26) -> str:
    """A frame name as a tick label: underscores as spaces, on at most two lines (:func:`_two_lines`)."""
    return _two_lines(str(frame).replace("_", " "), width=width)


def _top_groups(part: pd.DataFrame, *, max_groups: int = MAX_GROUPS) -> tuple[pd.DataFrame, list[str], int, int]:
    """The rows of one grouping's rates to draw: the ``max_groups`` groups with most documents (ties by name),
    plus "other (k groups)" pooled from the rest (rate = hits / tokens, no interval); groups with a missing
    label are left out. Returns (rows, group labels in drawing order, number pooled, number missing)."""
    missing = _missing(part["group"])
    n_missing = int(part.loc[missing, "group"].nunique(dropna=False))
    part = part[~missing]
    sizes = (part.groupby("group")["n_docs"].max().reset_index()
             .sort_values(["n_docs", "group"], ascending=[False, True]))
    keep = list(sizes["group"].head(max_groups))
    rest = [g for g in sizes["group"] if g not in set(keep)]
    rows = part[part["group"].isin(keep)]
    if rest:
        other = part[part["group"].isin(rest)].groupby("frame", as_index=False, sort=False)[
            ["hits", "tokens", "n_docs"]].sum()
        other["rate"] = 1000.0 * other["hits"] / other["tokens"].where(other["tokens"] > 0)
        other[["ci_low", "ci_high"]] = np.nan
        other["group"] = f"other ({len(rest)} groups)"
        other["by"] = part["by"].iloc[0]
        rows = pd.concat([rows, other], ignore_index=True)
        keep.append(other["group"].iloc[0])
    return rows, keep, len(rest), n_missing


def _rate_sentence(by: str, rows: pd.DataFrame, groups: Sequence[str]) -> str:
    """One sentence from a grouping's rates: the frame whose rate differs most between the drawn groups (with
    intervals), its highest and lowest group, and whether their intervals overlap."""
    d = rows[rows["group"].isin(groups) & rows["ci_low"].notna()]
    if d["group"].nunique() < 2:
        return f"By {by}: fewer than two groups with intervals to compare."
    spread = d.groupby("frame")["rate"].agg(lambda r: r.max() - r.min())
    frame = spread.idxmax()
    f = d[d["frame"] == frame]
    hi, lo = f.loc[f["rate"].idxmax()].copy(), f.loc[f["rate"].idxmin()].copy()
    if by == "depth":
        hi["group"], lo["group"] = (f"depth {g}" if g != "0" else "the article" for g in (hi["group"], lo["group"]))
    overlap = "overlap" if hi["ci_low"] <= lo["ci_high"] else "do not overlap"
    return (f"By {by}, {str(frame).replace('_', ' ')} differs most: {fmt_number(hi['rate'], digits=1)} per 1,000 "
            f"tokens in {hi['group']} (95% CI {fmt_number(hi['ci_low'], digits=1)} to "
            f"{fmt_number(hi['ci_high'], digits=1)}) against {fmt_number(lo['rate'], digits=1)} in {lo['group']} "
            f"({fmt_number(lo['ci_low'], digits=1)} to {fmt_number(lo['ci_high'], digits=1)}); the intervals "
            f"{overlap}.")


def frame_rates_by_group(stem: str | Path, *, rates: pd.DataFrame, colours: pd.DataFrame | None = None) -> str:
    """Frame rates with 95% CIs for every configured grouping (``framing.group_by`` but article vs comments and
    time, which have their own figures), as small multiples: one row of panels per grouping, one panel per group
    (the :data:`MAX_GROUPS` largest plus "other", pooled without interval; reply depths in the bands of
    :func:`analysis.frame_rates.depth_bands`, each with its interval), frames
    down the side, every panel on one rate scale; each group in its colour of the run."""
    bys = [b for b in dict.fromkeys(rates["by"]) if b not in ("all", "doc", "period", "depth_band")]
    plotting.style()
    blocks, sentences, notes = [], [], []
    for by in bys:
        part = rates[rates["by"] == by].copy()
        if by == "depth" and (rates["by"] == "depth_band").any():  # deep levels in bands, each with its interval
            part = rates[rates["by"] == "depth_band"].assign(by=by)
            rows, groups, n_other, n_missing = part, band_order(part["group"]), 0, 0
        else:
            rows, groups, n_other, n_missing = _top_groups(part)
        if len(groups) < 2:  # one group (a corpus of one source, say) compares nothing: no row of panels
            if groups:
                notes.append(f"{by} has one group only and is not drawn")
            continue
        blocks.append((by, rows, groups))
        sentences.append(_rate_sentence(by, rows, groups))
        if n_missing:
            notes.append(f"{n_missing} group(s) of {by} without a label are left out")
    frames = list(dict.fromkeys(rates["frame"]))
    if not blocks:
        fig = _notice_figure("No grouping besides article vs comments and time is configured (framing.group_by)")
        data = rates.iloc[0:0]
    else:
        ncols = max(len(g) for _, _, g in blocks)
        height = 1.1 + 0.22 * len(frames)
        fig = plt.figure(figsize=(min(plotting.MAX_INCHES[0], 1.4 + 1.75 * ncols),
                                  min(plotting.MAX_INCHES[1], height * len(blocks))), layout="constrained")
        y = np.arange(len(frames))
        for (by, rows, groups), sub in zip(blocks, np.atleast_1d(fig.subfigures(len(blocks), 1))):
            palette = {} if by == "depth" else _colour_map(colours, by)  # depths are a scale, not categories
            sub.suptitle(plotting.short_label(f"By {by}", width=60), x=0.0, ha="left", fontsize=8, fontweight="bold")
            row_axes = sub.subplots(1, ncols, squeeze=False, sharex=True)[0]
            for k, ax in enumerate(row_axes):
                if k >= len(groups):
                    ax.set_visible(False)
                    continue
                g = groups[k]
                d = rows[rows["group"] == g].set_index("frame").reindex(frames)
                err = np.vstack([d["rate"] - d["ci_low"], d["ci_high"] - d["rate"]]).clip(min=0)
                colour = (plotting.OKABE_ITO[0] if by == "depth" and not g.startswith("other")
                          else palette.get(g, plotting.OTHER_COLOUR))
                ax.errorbar(d["rate"], y, xerr=np.nan_to_num(err), fmt="o", color=colour, ms=3.5, capsize=1.5, lw=1)
                ax.set_yticks(y, [_frame_label(f, width=20) for f in frames] if k == 0 else [])
                ax.set_ylim(len(frames) - 0.5, -0.5)
                ax.set_title(_two_lines(g, width=22), fontsize=7,
                             color=colour if colour != plotting.OTHER_COLOUR else "#333333")
                ax.tick_params(labelsize=7)
                ax.xaxis.set_major_locator(MaxNLocator(nbins=3))
                ax.set_xlabel("per 1,000 tokens", fontsize=7)
            rmax = np.nanmax(rows[["rate", "ci_high"]].to_numpy(dtype=float)) if len(rows) else 1.0
            row_axes[0].set_xlim(0, 1.05 * rmax if np.isfinite(rmax) and rmax > 0 else 1.0)
        data = pd.concat([rows for _, rows, _ in blocks], ignore_index=True)
        data = data[[c for c in ("by", "group", "frame", "rate", "ci_low", "ci_high", "hits", "tokens", "n_docs")
                     if c in data.columns]]
    first = rates.iloc[0] if len(rates) else None
    facts = " ".join(sentences + [
        f"At most {MAX_GROUPS} groups of a grouping are drawn, the largest by documents; the rest are pooled as "
        "\u201cother\u201d, without interval; reply depths past " f"{DEPTH_BAND_FROM} are in bands of doubling width"
        + ("; " + "; ".join(notes) if notes else "") + "."]
        + ([f"95% intervals from {int(first['n_boot']):,} bootstrap replicates over {first['unit']}."]
           if first is not None and blocks else []))
    plotting.save_figure(fig, data, stem, facts=facts, dictionaries=plotting.dictionaries_of(rates),
                         numbers={"groupings": [b for b, _, _ in blocks], "sentences": sentences})
    return f"{len(blocks)} groupings: {[b for b, _, _ in blocks]}"


def _period_start(labels: pd.Series, period: str) -> pd.Series:
    """The first day of each period label of :func:`analysis.frame_rates.add_period` ('2021-03', '2021',
    '2021-W09', '2021-03-04'); NaT for 'unknown'."""
    labels = labels.astype(str)
    if period == "week":
        parts = labels.str.extract(r"^(\d{4})-W(\d{2})$")
        ok = parts[0].notna()
        out = pd.Series(pd.NaT, index=labels.index, dtype="datetime64[ns]")
        out[ok] = pd.to_datetime(parts[0][ok] + parts[1][ok] + "1", format="%G%V%u")
        return out
    fmt = {"month": "%Y-%m", "year": "%Y", "day": "%Y-%m-%d"}[period]
    return pd.to_datetime(labels, format=fmt, errors="coerce")


def framing_over_time(stem: str | Path, *, rates: pd.DataFrame, period: str, events: Sequence[Mapping] = ()) -> str:
    """Each frame's rate per 1,000 tokens by period (``framing.period``) as a series with its 95% CI band, one
    panel per frame (the eight most used), with the configured events (``framing.events``: date and label)
    marked by numbered lines."""
    data = rates[rates["by"] == "period"].copy()
    data["start"] = _period_start(data["group"], period)
    n_unknown = int(data.loc[data["start"].isna(), "n_docs"].max()) if data["start"].isna().any() else 0
    data = data[data["start"].notna()].sort_values(["start", "frame"])
    plotting.style()
    n_periods = data["start"].nunique()
    marks = []
    if n_periods < 2:
        fig = _notice_figure("Framing over time needs the period grouping (framing.group_by) and two or more periods")
        data, frames = data.iloc[0:0], []
    else:
        totals = data.groupby("frame", sort=False)["hits"].sum()
        frames = list(totals.sort_values(ascending=False, kind="stable").index[:8])
        ncols = 2 if len(frames) > 1 else 1
        nrows = -(-len(frames) // ncols)
        fig, axes = plt.subplots(nrows, ncols, figsize=(6.4 if ncols == 1 else 9.0, 0.6 + 1.9 * nrows),
                                 squeeze=False, sharex=True, layout="constrained")
        for e in events or []:
            when = pd.to_datetime(str(e["date"]), errors="coerce")
            if pd.notna(when) and data["start"].min() <= when <= data["start"].max() + pd.Timedelta(days=366):
                marks.append((len(marks) + 1, when, str(e.get("label", ""))))
        for ax, frame in zip(axes.flat, frames):
            d = data[data["frame"] == frame]
            ax.fill_between(d["start"], d["ci_low"], d["ci_high"], color=plotting.OKABE_ITO[0], alpha=0.25, lw=0,
                            step=None)
            ax.plot(d["start"], d["rate"], color=plotting.OKABE_ITO[0], lw=1.2, marker="o" if n_periods <= 30 else None,
                    ms=3)
            for _, when, _ in marks:
                ax.axvline(when, color=plotting.OKABE_ITO[3], lw=0.8, ls="--")
            ax.set_title(_frame_label(frame, width=40).replace("\n", " "), fontsize=8)
            ax.set_ylim(bottom=0)
            ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
            ax.tick_params(labelsize=7)
        for ax in axes.flat[len(frames):]:
            ax.set_visible(False)
        if len(frames) % ncols:  # the panel above a hidden one is the lowest of its column: it shows the dates
            axes[-2, -1].xaxis.set_tick_params(labelbottom=True)
        if marks:  # the numbers above the first row, the labels in a legend below
            for ax in axes[0]:
                if ax.get_visible():
                    top = ax.secondary_xaxis("top")
                    top.set_xticks([m[1] for m in marks], [str(m[0]) for m in marks])
                    top.tick_params(labelsize=7, colors=plotting.OKABE_ITO[3])
            handles = [plt.Line2D([], [], color=plotting.OKABE_ITO[3], ls="--", lw=0.8)] * len(marks)
            fig.legend(handles, [plotting.short_label(f"{n}: {w:%Y-%m-%d} {label}", width=70)
                                 for n, w, label in marks], loc="outside lower center", fontsize=7,
                       ncols=1 if len(marks) > 2 else len(marks))
        fig.supylabel("Hits per 1,000 tokens (95% CI)", fontsize=8)
        data = data[data["frame"].isin(frames)][["group", "frame", "rate", "ci_low", "ci_high", "hits", "tokens",
                                                 "n_docs"]].rename(columns={"group": "period"})
    first = rates.iloc[0] if len(rates) else None
    if n_periods >= 2:
        totals_by_period = data.groupby("period")["hits"].sum()
        top = frames[0]
        peak = data[data["frame"] == top].sort_values("rate", ascending=False).iloc[0]
        facts = (f"{n_periods} {period}s from {data['period'].iloc[0]} to {data['period'].iloc[-1]}; "
                 f"the most used frame, {top.replace('_', ' ')}, peaks in {peak['period']} at "
                 f"{fmt_number(peak['rate'], digits=1)} per 1,000 tokens (95% CI {fmt_number(peak['ci_low'], digits=1)}"
                 f" to {fmt_number(peak['ci_high'], digits=1)}). "
                 + (f"{len(marks)} event(s) of framing.events marked. " if marks else
                    "No event is marked: framing.events names none in this period. ")
                 + (f"{n_unknown:,} documents without a time are left out. " if n_unknown else "")
                 + (f"95% intervals from {int(first['n_boot']):,} bootstrap replicates over {first['unit']}."
                    if first is not None else ""))
        numbers = {"n_periods": int(n_periods), "n_hits": int(totals_by_period.sum()),
                   "events": [{"n": n, "date": f"{w:%Y-%m-%d}", "label": label} for n, w, label in marks]}
    else:
        facts, numbers = "No time series: fewer than two periods with dated documents.", {}
    plotting.save_figure(fig, data, stem, facts=facts, dictionaries=plotting.dictionaries_of(rates), numbers=numbers)
    return f"{n_periods} periods, {len(frames)} frames"


def framing_index(stem: str | Path, *, index: pd.DataFrame) -> str:
    """The pooled framing index (A - B) / (A + B) by reply depth, with 95% CIs: one point per depth band
    (:func:`analysis.frame_rates.depth_bands`; per depth when the run has no bands)."""
    by = "depth_band" if (index["by"] == "depth_band").any() else "depth"
    data = index[index["by"] == by].copy()
    n_depths = int((index["by"] == "depth").sum() // max(1, len(set(zip(data["frame_a"], data["frame_b"])))))
    pairs = list(dict.fromkeys(zip(data["frame_a"], data["frame_b"])))
    plotting.style()
    fig, ax = plt.subplots(figsize=(6.4, 3.4), layout="constrained")
    bins = band_order(data["group"])
    position = {b: k for k, b in enumerate(bins)}
    rows = []
    for k, (a, b) in enumerate(pairs):
        part = data[(data["frame_a"] == a) & (data["frame_b"] == b)].copy()
        part["x"] = part["group"].map(position) + 0.1 * (k - (len(pairs) - 1) / 2)
        part = part.sort_values("x")
        rows.append(part)
        colour = plotting.OKABE_ITO[k % 7]
        err = np.vstack([part["pooled"] - part["pooled_low"], part["pooled_high"] - part["pooled"]]).clip(min=0)
        ax.errorbar(part["x"], part["pooled"], yerr=np.nan_to_num(err), fmt="o-", color=colour, ms=4, capsize=2,
                    lw=1, label=f"{plotting.short_label(a.replace('_', ' '), width=24)} vs "
                                f"{plotting.short_label(b.replace('_', ' '), width=24)}")
        if len(pairs) == 1 and len(bins) <= 12:  # hit counts beside the points while they stay legible
            for x, yv, n in zip(part["x"], part["pooled"], part["hits_a"] + part["hits_b"]):
                if np.isfinite(yv):
                    ax.annotate(f"{n:,}", (x, yv), xytext=(4, 4), textcoords="offset points", fontsize=6,
                                color="#555555")
    ax.axhline(0, color="#888888", lw=0.8)
    ax.set_ylim(-1.05, 1.05)
    binned = len(bins) < n_depths
    ax.set_xticks(range(len(bins)), ["article" if b == "0" else b for b in bins], rotation=90 if len(bins) > 12 else 0)
    top = "0 = the article" if "0" in bins else "1 = a top-level comment"  # no depth 0 without article text
    ax.set_xlabel(f"Reply depth ({top}" + ("; deep levels in bands" if binned else "") + ")"
                  + ("" if len(pairs) > 1 or len(bins) > 12 else "\nnumbers beside the points: hits of either frame"))
    ax.set_ylabel("Framing index (A - B) / (A + B)")
    ax.legend(loc="best", fontsize=7)
    first_row = index.iloc[0] if len(index) else None
    using = data.groupby(["frame_a", "frame_b"], sort=False)["n_docs_using"].sum().tolist()
    facts = (f"n = {', '.join(f'{u:,}' for u in using)} documents using either frame"
             + (" (of each pair)" if len(using) > 1 else "") + f", at {n_depths} depths"
             + (f" in {len(bins)} bands" if binned else "") + "; "
             + (f"95% intervals from {int(first_row['n_boot']):,} bootstrap replicates over {first_row['unit']}."
                if first_row is not None else ""))
    out = pd.concat(rows, ignore_index=True).drop(columns="x") if rows else data
    plotting.save_figure(fig, out, stem, facts=facts, dictionaries=plotting.dictionaries_of(index))
    return f"{n_depths} depths in {len(bins)} bands"


def frame_transitions(stem: str | Path, *, transitions: pd.DataFrame, uptake: pd.DataFrame) -> str:
    """Which frame a reply uses given its parent's (a matrix), and each frame's uptake with 95% CIs."""
    trans = transitions[transitions["kind"] == "reply"]
    uptake = uptake[uptake["kind"] == "reply"]
    labels = list(dict.fromkeys(trans["parent_frame"]))
    if not labels:  # no frame dictionary (or no pair): a notice, and a data file with no row
        plotting.style()
        plotting.save_figure(_notice_figure("No frame to follow down reply chains in this run"), trans, stem,
                             facts="n = 0 frames: this run has no frame dictionary, or no parent-reply pair.",
                             dictionaries=plotting.dictionaries_of(trans))
        return "0 frames"
    matrix = (trans.pivot(index="parent_frame", columns="reply_frame", values="probability")
              .reindex(index=labels, columns=labels))
    plotting.style()
    side = min(1.2 + 0.3 * len(labels), 11.0)
    # at least 7 in tall: with few frames a shorter heatmap leaves its colour bar shorter than the bar's label
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(side + 3.2, min(max(2 * side, 7.0), plotting.MAX_INCHES[1])),
                                 gridspec_kw={"height_ratios": [3, 2]}, layout="constrained")
    im = ax.imshow(matrix.to_numpy(dtype=float), cmap="cividis", vmin=0, vmax=1, aspect="auto", interpolation="none")
    names = [plotting.short_label(lab.replace("_", " "), width=24) for lab in labels]
    ax.set_xticks(range(len(labels)), names, rotation=90)
    ax.set_yticks(range(len(labels)),
                  [f"{n} (n={int(c):,})" for n, c in zip(
                      names, trans.groupby("parent_frame", sort=False)["n_parent"].first().reindex(labels))])
    ax.set_xlabel("Reply uses")
    ax.set_ylabel("Parent uses")
    ax.grid(False)
    fig.colorbar(im, ax=ax, shrink=0.8, label="P(reply's frame | parent's frame)")
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


def keyness(stem: str | Path, *, table: pd.DataFrame, colours: pd.DataFrame | None = None) -> str:
    """The 12 terms with the highest log-odds z of up to four groups of the first keyness grouping (the largest
    groups, in their colours of the run); a dashed line at :data:`analysis.book.KEYNESS_MIN_Z`, the z from which a
    term is called distinctive, and paler bars below it; no panel for a missing label, no URL or number as a term,
    long terms shortened."""
    plotting.style()
    by = table["by"].iloc[0] if len(table) else ""
    data = table[table["by"] == by] if len(table) else table
    missing = _missing(data["group"]) if len(data) else np.zeros(0, dtype=bool)
    n_missing = int(data.loc[missing, "group"].nunique(dropna=False)) if missing.any() else 0
    data = data[~missing] if len(data) else data
    n_terms = len(data)
    data = data[data["term"].map(_is_term_text)] if len(data) else data
    n_dropped = n_terms - len(data)
    if data.empty:
        fig = _notice_figure("No grouping with two or more groups: no keyness to show")
        groups = []
    else:
        palette = _colour_map(colours, by)
        rank = {g: k for k, g in enumerate(palette)}  # the colour table lists the groups largest first
        groups = sorted(dict.fromkeys(data["group"].astype(str)), key=lambda g: (rank.get(g, len(rank)), g))[:4]
        data = data.assign(group=data["group"].astype(str))
        top = pd.concat([data[data["group"] == g].nlargest(12, "z") for g in groups])
        fig, axes = plt.subplots(1, len(groups), figsize=(3.4 * len(groups), 3.6), squeeze=False,
                                 layout="constrained")
        for k, (ax, g) in enumerate(zip(axes[0], groups)):
            d = top[top["group"] == g].sort_values("z")
            strong = (d["z"] >= KEYNESS_MIN_Z).to_numpy()
            colour = palette.get(g, plotting.OKABE_ITO[k])
            ax.barh(np.arange(len(d))[strong], d["z"][strong], color=colour)
            ax.barh(np.arange(len(d))[~strong], d["z"][~strong], color=colour, alpha=0.35)
            ax.axvline(KEYNESS_MIN_Z, color="#333333", lw=0.8, ls="--")
            ax.set_yticks(range(len(d)), [plotting.short_label(t, width=22) for t in d["term"]])
            ax.set_title(_two_lines(f"{by} = {g}", width=32), fontsize=8)
            ax.set_xlabel("log-odds z-score")
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
            ax.grid(axis="y", visible=False)
        data = top
    n_strong = int((data["z"] >= KEYNESS_MIN_Z).sum()) if groups else 0
    facts = ("No group had enough tokens for keyness." if not groups else
             f"The 12 highest z-scores of each of {len(groups)} groups (by {by}), "
             "from the log-odds ratio with an informative "
             f"Dirichlet prior; {n_strong:,} of the {len(data):,} bars drawn reach z ≥ {KEYNESS_MIN_Z} (the dashed "
             "line) and only those terms are called distinctive; paler bars are the highest z of their group, not "
             f"evidence of a difference; {len(table):,} term-group scores in all; "
             "no resampling (z is the uncertainty scale)."
             + (f" {n_dropped:,} web addresses and numbers are not drawn as terms." if n_dropped else "")
             + (f" {n_missing} group(s) without a label are left out." if n_missing else ""))
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
        groups = f"{plotting.short_label(a, width=28)}\nvs {plotting.short_label(b, width=28)}"
    else:
        groups = plotting.short_label(a, width=34) if isinstance(a, str) and a else "groups of each stratum"
    if isinstance(stratum, str) and stratum != WHOLE:
        return f"{r['tokens']}, {plotting.short_label(stratum, width=20)}\n{groups}"
    return f"{r['tokens']}\n{groups}"


def partisanship(stem: str | Path, *, part: pd.DataFrame, terms: pd.DataFrame, dictionaries: str,
                 colours: pd.DataFrame | None = None, group_by: str = "") -> str:
    """Leave-out partisanship against its shuffled-label baseline and chance (1/K for K groups), and the most
    polarizing terms, each bar in the run's colour of the group that uses the term more (grey for "the others");
    with strata, the whole corpus, the largest strata, their pooled and the between-strata estimates."""
    plotting.style()
    shown = _strata_shown(part, "n_speakers").reset_index(drop=True)
    if not part.empty:
        shown = shown[shown["estimate"].notna()].reset_index(drop=True)
    if shown.empty:
        fig = _notice_figure("Partisanship not available for this corpus (see the text)")
        data = part
    else:
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, max(4.2, 1 + 0.8 * len(shown))),
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
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        # above the panel: inside it, the legend would cover the intervals of the lowest row
        ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, handletextpad=0.3,
                  columnspacing=1.0)
        a = shown["group_a"].dropna().astype(str)
        a = next((g for g in a if not g.startswith("(")), a.iloc[0] if len(a) else "")
        top = terms[(terms["tokens"] == "all tokens") & (terms["group_a"].astype(str) == a)
                    & terms["term"].map(_is_term_text)] if len(terms) else terms
        top = top.nlargest(20, "contribution").sort_values("contribution") if len(top) else top
        # group a's colour of the run; group b's when it is one group, grey when b is "the rest"
        palette = _colour_map(colours, group_by)
        b = shown.loc[shown["group_a"].astype(str) == a, "group_b"].dropna().astype(str)
        b = b.iloc[0] if len(b) and not b.iloc[0].startswith("(") else ""
        colour_a = palette.get(a, plotting.OKABE_ITO[1])
        colour_b = palette.get(b, plotting.OKABE_ITO[2]) if b else plotting.OTHER_COLOUR
        if colour_b == colour_a:  # two groups beyond the seven largest share grey
            colour_b = "#555555"
        if len(top):
            bx.barh(range(len(top)), top["contribution"],
                    color=[colour_a if f == "R" else colour_b for f in top.get("favours", [])])
            bx.set_yticks(range(len(top)), [plotting.short_label(t, width=22) for t in top["term"]])
            bx.legend(handles=[Patch(color=colour_a, label=f"used more by {plotting.short_label(a, width=30)}"),
                               Patch(color=colour_b, label="used more by " + (plotting.short_label(b, width=30)
                                                                              if b else "the others"))],
                      fontsize=7, loc="lower right")
        bx.set_title("Most polarizing terms", fontsize=8)
        bx.set_xlabel("Contribution to partisanship")
        bx.xaxis.set_major_locator(MaxNLocator(nbins=4))
        bx.ticklabel_format(axis="x", style="sci", scilimits=(-3, 4))
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
                  dictionaries: str, seed: int, colours: pd.DataFrame | None = None, group_by: str = "") -> str:
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
    palette = _colour_map(colours, group_by) or {g: plotting.OKABE_ITO[i % 7] for i, g in enumerate(groups)}
    shown = [g for g in palette if g in set(groups) and palette[g] != plotting.OTHER_COLOUR][:MAX_GROUPS]
    palette = {g: palette.get(g, plotting.OTHER_COLOUR) if g in shown else plotting.OTHER_COLOUR for g in groups}
    if G.number_of_nodes():
        pos = nx.spring_layout(G, seed=seed, weight="weight")
        # thousands of overlapping links: a 300 dpi raster in the SVG and PDF
        nx.draw_networkx_edges(G, pos, ax=ax, alpha=0.25, width=0.5).set_rasterized(G.number_of_edges() > 2000)
        node_colours = [palette.get(str(g), "#dddddd") for g in nodes["group"]]
        nx.draw_networkx_nodes(G, pos, ax=ax, node_size=18, node_color=node_colours, linewidths=0)
        for g in shown:
            ax.scatter([], [], color=palette[g], label=plotting.short_label(g, width=32))
        if len(groups) > len(shown):
            ax.scatter([], [], color=plotting.OTHER_COLOUR, label=f"{len(groups) - len(shown)} other groups")
        ax.scatter([], [], color="#dddddd", label="no group")
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


def _route(start: tuple[float, float], end: tuple[float, float], boxes: Mapping[int, Sequence[tuple[float, float]]],
           *, half_height: float = 0.22) -> list[tuple[float, float]]:
    """The points of an arrow of the layered rule graph from ``start`` to ``end`` (x, -layer) that passes no box
    of the layers between: ``boxes`` gives each layer's boxes as (centre x, half width). The arrow gets a point
    at every layer it passes, on the straight way to ``end``, or in the nearest gap between that layer's boxes
    where the straight way would cross one."""
    (_, y0), (x1, y1) = start, end
    points = [start]
    for k in range(int(-y0) + 1, int(-y1)):
        px, pk = points[-1][0], -points[-1][1]
        slope = (x1 - px) / (-y1 - pk)  # x per layer
        x = px + slope * (k - pk)
        reach = abs(slope) * half_height
        row = sorted(boxes.get(k, []))
        if any(abs(x - c) < w + reach + 0.05 for c, w in row):
            gaps = [row[0][0] - row[0][1] - 0.15] + [
                (u + wu + v - wv) / 2 for (u, wu), (v, wv) in zip(row, row[1:]) if (v - wv) - (u + wu) > 0.12] + [
                row[-1][0] + row[-1][1] + 0.15]
            x = min(gaps, key=lambda g: (abs(g - x), g))
        points.append((x, -k))
    points.append(end)
    return points


def rule_graph(stem: str | Path, *, edges: pd.DataFrame) -> str:
    """The workflow's rules and what feeds what (``edges``: :func:`analysis.provenance.rule_graph`), drawn in layers
    (:func:`analysis.provenance.rule_graph_layers`); the figures' rules in blue, the book's in orange."""
    from matplotlib.patches import FancyArrowPatch

    pos = provenance.rule_graph_layers(edges)
    n_layers = max(k for k, _ in pos.values()) + 1
    width = max(len([r for r in pos if pos[r][0] == k]) for k in range(n_layers))
    plotting.style()
    fig, ax = plt.subplots(figsize=(min(plotting.MAX_INCHES[0], max(6.4, 0.62 * width)),
                                    min(plotting.MAX_INCHES[1], 0.62 * n_layers + 0.4)))
    xy = {r: (x, -k) for r, (k, x) in pos.items()}
    # each box's half width in x units, from its longest line (5 pt text, about 0.6 em a character, and padding)
    inch_per_x = fig.get_size_inches()[0] / (max(x for _, x in pos.values()) - min(x for _, x in pos.values()) + 1.2)
    boxes: dict[int, list[tuple[float, float]]] = {}
    for rule, (k, x) in pos.items():
        chars = max(len(line) for line in provenance.wrap_rule_name(rule).split("\n"))
        boxes.setdefault(k, []).append((x, (chars * 0.6 * 5 / 72 + 0.1) / inch_per_x / 2))
    for a, b in edges.itertuples(index=False):
        if b:
            points = _route(xy[a], xy[b], boxes)
            if len(points) > 2:
                ax.plot([p[0] for p in points[:-1]], [p[1] for p in points[:-1]], color="#999999", lw=0.7, zorder=1)
            ax.add_patch(FancyArrowPatch(points[-2], points[-1], arrowstyle="-|>", mutation_scale=7, color="#999999",
                                         lw=0.7, shrinkA=0 if len(points) > 2 else 7, shrinkB=7, zorder=1))
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
    tasks = {name: (lambda name=name: _checked(stems[name], module[name](
        stems[name], **FIGURES[name].read(inputs[name], params[name])))) for name in order}
    return draw(tasks, processes=processes)


def _checked(stem: str, line: str) -> str:
    """A figure's log line with the layout problems its note records (:func:`analysis.plotting.layout_problems`)."""
    import json

    problems = json.loads(Path(stem).with_suffix(".json").read_text(encoding="utf-8")).get("layout_problems", [])
    return line + (f"; LAYOUT PROBLEMS: {problems}" if problems else "")
