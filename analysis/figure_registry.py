"""The one list of the book's figures: for each id its chapter, title, alt text and width, what it is drawn from and
how those inputs are read.

``workflow/rules/figures.smk`` builds the rule ``figures`` from :data:`FIGURES`
(its inputs, outputs and params), ``snakemake --report`` files each figure's
PNG under its chapter, and the book (:mod:`analysis.book`) titles and places
the figures from it. A figure's id is the name of the function of
:mod:`analysis.figures` that draws it; adding a figure means writing that
function and its entry here. Its caption text is the file
:func:`caption_file` (``snakemake --report`` takes a caption only as a file;
the book reads the same file).

This module is light on purpose (no matplotlib): Snakemake imports it each
time it reads the workflow, and the book job reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis import describe, io
from analysis.lexicons import lexicon_stamp, load_lexicon

__all__ = ["Figure", "FIGURES", "caption_file", "example_thread", "colour_table", "language_shares"]


@dataclass(frozen=True)
class Figure:
    """One figure of the book: where it goes, what it shows and what it is drawn from.

    ``inputs`` maps a name to what the figure reads: ``"<rule>.<output>"`` (a
    per-shard output means all its shards) or ``"config:<section>.<key>"``
    (a path or list of paths in the config); a tuple of those is one list of
    paths. ``params`` maps a name to a config value (``"<section>.<key>"``).
    ``read`` turns the resolved inputs and params into the keyword arguments of
    the figure's function (the function of the same name in this module).
    ``cost`` orders the drawing: the most costly first. ``rule`` is the rule
    that draws it: ``figures`` (all in one job), or its own rule.
    """

    chapter: str
    title: str
    alt: str
    width: str
    inputs: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)
    read: Callable[[Mapping, Mapping], dict] | None = None
    cost: int = 0
    rule: str = "figures"


def caption_file(figure_id: str) -> str:
    """The file of a figure's fixed caption text (the report's caption and the book's), relative to the project."""
    return f"workflow/report/{figure_id}.rst"


def _stamp(paths: Sequence[str]) -> str:
    """The name, version and hash of each dictionary, for a figure's cite block."""
    return lexicon_stamp(load_lexicon(p, check_terms=False) for p in paths)


def colour_table(path: str | Path) -> pd.DataFrame:
    """The run's group colours (rule ``group_colours``: ``by``, ``group``, ``colour``), group names as text."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def example_thread(threads: str | Path, comments: Sequence[str | Path], *, requested: str) -> pd.DataFrame:
    """The comments of the thread the reply-tree figure draws (:func:`analysis.describe.pick_example_thread`
    over the thread table ``threads``), read alone from the comment shards."""
    sizes = pd.read_csv(threads, usecols=["thread_id", "n_comments"], dtype={"thread_id": str}, keep_default_na=False)
    thread_id = describe.pick_example_thread(sizes.set_index("thread_id")["n_comments"], requested=requested)
    columns = ["thread_id", "comment_id", "parent_id", "depth", "position", "author_id", "record"]
    parts = []
    for path in comments:  # the thread_id column of each shard first; the other columns only where the thread is
        shard = pq.ParquetFile(path)
        rows = pc.equal(shard.read(columns=["thread_id"])["thread_id"], thread_id)
        if pc.any(rows).as_py():
            parts.append(shard.read(columns=columns).filter(rows).to_pandas())
    return pd.concat(parts, ignore_index=True)


def language_shares(comments: Sequence[str | Path], *, languages: Sequence[str]) -> pd.DataFrame:
    """Comments per language over the comment shards (their ``language`` column alone), as
    :func:`analysis.language.shares` gives them."""
    from analysis.language import shares

    labels = pd.concat([pq.read_table(p, columns=["language"]).column("language").to_pandas() for p in comments]
                       or [pd.Series([], dtype=object)], ignore_index=True)
    return shares(labels, languages=languages)


#: Every figure of the book, in book order: id -> :class:`Figure`. The id names
#: the function that draws it, its files (<id>.png/.svg/.pdf/.csv/.json), its
#: caption file (:func:`caption_file`) and its book label (fig-<id with dashes>).
FIGURES: dict[str, Figure] = {
    "comments_per_depth": Figure(
        "Data", "Comments per reply depth", "Bar chart of the number of comments at each reply depth.", "85%",
        inputs={"depth": "describe_corpus.depth"},
        read=lambda i, p: {"depth": pd.read_csv(i["depth"])}),
    "reply_tree": Figure(
        "Data", "Reply tree of the example thread",
        "Reply tree of the example thread, one dot per comment, depth downwards.", "100%",
        inputs={"threads": "describe_corpus.threads", "comments": "shard.comments"},
        params={"example_thread": "book.example_thread", "max_comments": "book.tree_max_comments"},
        read=lambda i, p: {"thread": example_thread(i["threads"], i["comments"], requested=p["example_thread"]),
                           "max_comments": p["max_comments"]},
        cost=4),
    "languages": Figure(
        "Data", "Comments by language",
        "Horizontal bars of the share of comments in each language, the configured languages in blue.", "70%",
        inputs={"comments": "shard.comments"},
        params={"languages": "languages"},
        read=lambda i, p: {"shares": language_shares(i["comments"], languages=p["languages"]),
                           "languages": p["languages"]}),
    "frame_rates": Figure(
        "Framing", "Frame rates, article and comments",
        "Dot plot of each frame's rate per 1,000 tokens in the article and in the comments, with confidence intervals.",
        "90%",
        inputs={"rates": "frame_rates.rates", "colours": "group_colours.table"},
        read=lambda i, p: {"rates": io.read_csv(i["rates"]), "colours": colour_table(i["colours"])},
        cost=2),
    "frame_rates_by_group": Figure(
        "Framing", "Frame rates by group",
        "Small multiples: for each configured grouping a row of panels, one per group, with each frame's rate per "
        "1,000 tokens and its confidence interval.",
        "100%",
        inputs={"rates": "frame_rates.rates", "colours": "group_colours.table"},
        read=lambda i, p: {"rates": io.read_csv(i["rates"], dtype={"group": str}),
                           "colours": colour_table(i["colours"])},
        cost=2),
    "framing_over_time": Figure(
        "Framing", "Framing over time",
        "One panel per frame: its rate per 1,000 tokens in each period as a line with a shaded confidence band, "
        "and dashed numbered lines at the configured events.",
        "100%",
        inputs={"rates": "frame_rates.rates"},
        params={"period": "framing.period", "events": "framing.events"},
        read=lambda i, p: {"rates": io.read_csv(i["rates"], dtype={"group": str}), "period": p["period"],
                           "events": p["events"]},
        cost=2),
    "framing_index": Figure(
        "Framing", "Framing index by reply depth", "Framing index by reply depth with confidence intervals.", "85%",
        inputs={"index": "frame_rates.index"},
        read=lambda i, p: {"index": pd.read_csv(i["index"])},
        cost=1),
    "frame_transitions": Figure(
        "Framing", "Frames down reply chains",
        "Heatmap of the probability that a reply uses a frame given its parent's frame, "
        "and frame uptake with intervals.",
        "100%",
        inputs={"transitions": "frame_dynamics.transitions", "uptake": "frame_dynamics.uptake"},
        read=lambda i, p: {"transitions": pd.read_csv(i["transitions"]), "uptake": pd.read_csv(i["uptake"])},
        cost=7),
    "keyness": Figure(
        "Framing", "Terms with the highest z by group",
        "Horizontal bars of the terms with the highest log-odds z-score in each group; a dashed line marks the z "
        "from which a term is called distinctive.", "100%",
        inputs={"table": "keyness.table", "colours": "group_colours.table"},
        read=lambda i, p: {"table": io.read_csv(i["table"], dtype={"group": str}),
                           "colours": colour_table(i["colours"])},
        cost=3),
    "partisanship": Figure(
        "Polarization", "Leave-out partisanship",
        "Leave-out partisanship with its interval next to the shuffled-label baseline, "
        "and the terms that contribute most.",
        "100%",
        inputs={"part": "polarization_report.partisanship", "terms": "polarization_report.terms",
                "colours": "group_colours.table",
                "dictionaries": ("config:polarization.stance_lexicon", "config:lexicons")},
        params={"group_by": "polarization.group_column"},
        read=lambda i, p: {"part": io.read_csv(i["part"]), "terms": io.read_csv(i["terms"]),
                           "dictionaries": _stamp(i["dictionaries"]), "colours": colour_table(i["colours"]),
                           "group_by": p["group_by"] or "stance"},
        cost=5),
    "reply_network": Figure(
        "Polarization", "Reply network and cross-group replies",
        "Network of speakers coloured by group, and the shares of cross-group and uncivil replies with intervals.",
        "100%",
        inputs={"edges": "polarization_report.edges", "incivility": "polarization_report.incivility",
                "network": "polarization_report.network", "colours": "group_colours.table",
                "dictionaries": ("config:polarization.stance_lexicon", "config:polarization.incivility_lexicon")},
        params={"seed": "polarization.seed", "group_by": "polarization.group_column"},
        read=lambda i, p: {"edges": io.read_csv(i["edges"]), "incivility": io.read_csv(i["incivility"]),
                           "network": io.read_csv(i["network"]), "dictionaries": _stamp(i["dictionaries"]),
                           "seed": p["seed"], "colours": colour_table(i["colours"]),
                           "group_by": p["group_by"] or "stance"},
        cost=6),
    "rule_graph": Figure(
        "Reproducibility", "The workflow's rule graph",
        "Boxes for the workflow's rules joined by arrows from each rule to the rules that use its output.", "100%",
        rule="figure_rule_graph"),
}
