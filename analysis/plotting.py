"""One figure style for the whole book, and deterministic figure files.

Every figure is saved as PNG (300 dpi), SVG and PDF with its source data as
CSV beside it, and a JSON note of the facts its caption needs (n, interval
method, dictionaries) that only the run knows. File metadata that would change between runs (creation dates,
SVG element ids) is fixed, so reruns give identical bytes. Colours are the
Okabe & Ito (2008) palette, distinguishable with the common colour-vision
deficiencies. Data text in Arabic (or any right-to-left script) is drawn
shaped (letters joined) and in right-to-left order: matplotlib 3.11 and later
lay text out with libraqm, which does both, and is given the text as it is;
an older matplotlib draws characters one by one, left to right, unjoined, so
:func:`inert` shapes and reorders the text for it first.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import arabic_reshaper
import matplotlib
from bidi import get_display

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import ft2font  # noqa: E402

__all__ = ["OKABE_ITO", "style", "save_figure", "dictionaries_of", "FORMATS", "inert", "short_label", "group_colours",
           "layout_problems", "MAX_INCHES", "display_text", "RENDERER_SHAPES"]

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
FORMATS = ("png", "svg", "pdf")
OTHER_COLOUR = "#999999"
#: The largest canvas a figure may have, in inches (width, height): 1,600 x 2,000 px at 100 dpi.
MAX_INCHES = (16.0, 20.0)
_MATHTEXT_RAW = re.compile(r"\\mathdefault|\$[^$]*\\[A-Za-z]+[^$]*\$")
_MISSING_PANEL = re.compile(r"=\s*(nan|None|<NA>|NaN|NaT)?\s*$")
#: Letters of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo, ... and their presentation forms).
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]")


#: Whether matplotlib lays text out with libraqm (3.11 and later): it then shapes Arabic and puts right-to-left
#: runs in order itself, and text must reach it in logical order, as stored.
RENDERER_SHAPES = hasattr(ft2font, "__libraqm_version__")


def display_text(text: str, *, renderer_shapes: bool | None = None) -> str:
    """Text as matplotlib must be given it to draw it right. Unchanged when it has no right-to-left letter, or when
    the renderer shapes and orders text itself (``renderer_shapes``, by default :data:`RENDERER_SHAPES`: shaping
    it here too would reverse it a second time). Otherwise, for a renderer that draws characters one by one, left
    to right: Arabic letters joined (their contextual presentation forms, ``arabic_reshaper``) and the line put in
    visual order by the Unicode bidirectional algorithm (``python-bidi``; the paragraph direction from its first
    strong letter, so "by = <Arabic>" keeps "by =" on the left). Each line of a multi-line text on its own."""
    if RENDERER_SHAPES if renderer_shapes is None else renderer_shapes:
        return text
    if not _RTL.search(text):
        return text
    return "\n".join(get_display(arabic_reshaper.reshape(line)) if _RTL.search(line) else line
                     for line in text.split("\n"))


def inert(text) -> str:
    """Data text as matplotlib text that renders as exactly itself: right-to-left text drawn shaped and in its
    order (:func:`display_text`), each ``$`` escaped, so no mathtext. Every text a figure draws from the data passes
    here (directly, or through :func:`short_label`)."""
    return display_text(str(text)).replace("$", r"\$")


def short_label(text, *, width: int = 28) -> str:
    """A data label fit for a tick: inert (:func:`inert`), whitespace runs made one space, and longer than
    ``width`` characters cut to ``width`` with an ellipsis in the middle (start and end stay readable)."""
    text = " ".join(str(text).split())
    if len(text) > width:
        head = (width - 1) // 2 + (width - 1) % 2
        text = text[:head] + "\u2026" + text[len(text) - (width - 1 - head):]
    return inert(text)


def group_colours(groups: pd.DataFrame) -> pd.DataFrame:
    """The colour of every group of every grouping, assigned once per run so a group keeps its colour in every
    figure: ``groups`` has columns ``by``, ``group`` and ``n`` (its size, e.g. documents); returns ``by``,
    ``group``, ``colour``. Within a grouping the seven largest groups (ties by name) take the Okabe & Ito colours
    in that order (black is kept for text); the rest share grey, as does "other" in the figures that draw the
    largest groups plus "other"."""
    palette = [c for c in OKABE_ITO if c != "#000000"]
    rows = []
    for by, part in groups.assign(group=groups["group"].astype(str)).groupby("by", sort=True):
        sizes = part.groupby("group")["n"].max().reset_index().sort_values(["n", "group"], ascending=[False, True])
        rows += [(by, g, palette[k] if k < len(palette) else OTHER_COLOUR) for k, g in enumerate(sizes["group"])]
    return pd.DataFrame(rows, columns=["by", "group", "colour"])


def style() -> None:
    """Apply the book's figure style (call once before drawing)."""
    plt.rcParams.update(
        {
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 100,
            "font.size": 9,
            "axes.titlesize": 10,
            "axes.labelsize": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
            "axes.grid": True,
            "grid.color": "#dddddd",
            "grid.linewidth": 0.6,
            "legend.frameon": False,
            "svg.hashsalt": "threadscope",
            "svg.fonttype": "path",
            "pdf.fonttype": 42,
            # mathtext stays on (log-axis ticks are mathtext); data text is made inert by inert()
        }
    )


def _drawn_texts(fig: plt.Figure) -> tuple[list, list]:
    """The visible, non-empty texts of a drawn figure: (tick labels and annotations that must not overlap,
    every other text: titles, axis labels, legend entries, figure texts)."""
    marks, others = [], []

    def keep(t):
        return t.get_visible() and t.get_text().strip() != ""

    for ax in fig.axes:
        if not ax.get_visible():
            continue
        if ax.axison:
            for axis, (lo, hi) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
                lo, hi = min(lo, hi), max(lo, hi)
                span = (hi - lo) * 1e-9
                for tick in axis.get_major_ticks():
                    if lo - span <= tick.get_loc() <= hi + span:
                        marks += [t for t in (tick.label1, tick.label2) if keep(t)]
                others += [t for t in (axis.label, axis.get_offset_text()) if keep(t)]
        marks += [t for t in ax.texts if keep(t)]
        others += [t for t in (ax.title,) if keep(t)]
        legend = ax.get_legend()
        if legend is not None:
            others += [t for t in legend.get_texts() if keep(t)]
    others += [t for t in fig.texts if keep(t)]
    return marks, others


def layout_problems(fig: plt.Figure) -> list[str]:
    """What makes a figure unreadable, measured from matplotlib's text extents after a draw; [] when none.

    Checks that no two tick labels or annotations overlap (on the same or on different axes), that no
    text leaves the figure's canvas, that the canvas is no larger than :data:`MAX_INCHES`, that no text shows
    raw mathtext (``$\\mathdefault{...}$`` printed as is), that no panel is titled for a missing label
    (``x = nan``) and that no axes with its axis lines on is empty. Each problem is one line naming the texts.
    """
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    problems = []
    width, height = fig.get_size_inches()
    if width > MAX_INCHES[0] + 1e-9 or height > MAX_INCHES[1] + 1e-9:
        problems.append(f"canvas {width:.1f} x {height:.1f} in is larger than {MAX_INCHES[0]:g} x {MAX_INCHES[1]:g} in")
    marks, others = _drawn_texts(fig)
    boxes = np.array([t.get_window_extent(renderer).extents for t in marks]).reshape(-1, 4)  # x0, y0, x1, y1
    if len(boxes):
        shrink = 0.5  # px: texts that only touch do not overlap
        x0, y0, x1, y1 = (boxes[:, k:k + 1] for k in range(4))
        over = ((x0 + shrink < x1.T - shrink) & (x0.T + shrink < x1 - shrink)
                & (y0 + shrink < y1.T - shrink) & (y0.T + shrink < y1 - shrink))
        i, j = np.nonzero(np.triu(over, k=1))
        for a, b in list(zip(i, j))[:20]:
            problems.append(f"overlap: {marks[a].get_text()!r} and {marks[b].get_text()!r}")
        if len(i) > 20:
            problems.append(f"overlap: {len(i) - 20} more pairs")
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    for t, (x0, y0, x1, y1) in zip(marks, boxes):
        for ax in panels:
            b = ax.bbox
            if ax is not t.axes and b.x0 + 1 < x1 and x0 < b.x1 - 1 and b.y0 + 1 < y1 and y0 < b.y1 - 1:
                problems.append(f"text runs into another panel: {t.get_text()!r}")
                break
    canvas = fig.bbox
    outside = []
    for t in marks + others:
        e = t.get_window_extent(renderer)
        if e.x0 < canvas.x0 - 1 or e.y0 < canvas.y0 - 1 or e.x1 > canvas.x1 + 1 or e.y1 > canvas.y1 + 1:
            outside.append(t.get_text())
        text = t.get_text()
        if (not t.get_parse_math() or text.count("$") - text.count(r"\$") < 2) and _MATHTEXT_RAW.search(text):
            problems.append(f"raw mathtext: {text!r}")
        elif text.replace(r"\$", "").count("$") % 2 and t.get_parse_math():
            problems.append(f"unescaped $ in data text: {text!r}")
    problems += [f"text leaves the canvas: {text!r}" for text in outside[:20]]
    for ax in fig.axes:
        title = ax.get_title()
        if title and _MISSING_PANEL.search(title):
            problems.append(f"panel for a missing label: {title!r}")
        if ax.get_visible() and ax.axison and not ax.has_data() and ax.get_label() != "<colorbar>":
            problems.append(f"empty axes: {title or ax.get_ylabel() or ax.get_xlabel() or 'untitled'!r}")
    return problems


def save_figure(fig: plt.Figure, data: pd.DataFrame, stem: str | Path, *, facts: str, dictionaries: str = "",
                numbers: dict | None = None, raster_dpi: float | None = None) -> list[str]:
    """Write ``stem``.png/.svg/.pdf, the figure's data as ``stem``.csv and its caption facts as ``stem``.json.

    ``facts`` is the run-specific part of the caption (n, unit and interval
    method), in plain words; the book puts it after the figure's fixed caption
    (``workflow/report/<id>.rst``). It must not quote data text: captions are
    rendered as markup. ``dictionaries`` names the dictionaries (name, version,
    hash) the data were computed with; ``numbers`` holds any values the book
    quotes about the figure. ``raster_dpi``: the resolution of the rasterized artists in the SVG and PDF
    (the figure's 100 dpi when None; the PNG is 300 dpi).
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    meta = {
        "png": {"Software": "threadscope"},
        "svg": {"Date": None, "Creator": "threadscope"},
        "pdf": {"CreationDate": None, "ModDate": None, "Creator": "threadscope", "Producer": "threadscope"},
    }
    # Lay the figure out once, for all three formats: with bbox_inches="tight" (and with a layout
    # engine) every savefig would first make a draw of its own only to measure; this one draw
    # measures text with the raster renderer at the figure's 100 dpi, and the positions it sets are kept.
    problems = layout_problems(fig)  # draws the figure once
    bbox = fig.get_tightbbox().padded(plt.rcParams["savefig.pad_inches"])
    fig.set_layout_engine("none")
    for fmt in FORMATS:
        path = stem.with_suffix("." + fmt)
        fig.savefig(path, dpi=300 if fmt == "png" else raster_dpi, metadata=meta[fmt], bbox_inches=bbox)
        paths.append(str(path))
    csv = stem.with_suffix(".csv")
    data.to_csv(csv, index=False, lineterminator="\n")
    note = stem.with_suffix(".json")
    note.write_text(json.dumps({"id": stem.name, "facts": facts, "dictionaries": dictionaries,
                                "numbers": numbers or {}, "layout_problems": problems},
                               indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    plt.close(fig)
    return paths + [str(csv), str(note)]


def dictionaries_of(table: pd.DataFrame) -> str:
    """The dictionary stamp a table carries in its ``dictionaries`` column ('' when it has none)."""
    if "dictionaries" not in table.columns or table.empty:
        return ""
    return "; ".join(dict.fromkeys(str(v) for v in table["dictionaries"].dropna() if str(v)))
