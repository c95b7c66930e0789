"""One figure style for the whole book, and deterministic figure files.

Every figure is saved as PNG (300 dpi), SVG and PDF with its source data as
CSV beside it, and a JSON note of the facts its caption needs (n, interval
method, dictionaries) that only the run knows. File metadata that would change between runs (creation dates,
SVG element ids) is fixed, so reruns give identical bytes. Colours are the
Okabe & Ito (2008) palette, distinguishable with the common colour-vision
deficiencies.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

__all__ = ["OKABE_ITO", "style", "save_figure", "dictionaries_of", "FORMATS"]

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
FORMATS = ("png", "svg", "pdf")


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
            "text.parse_math": False,  # data text ($, \\) in labels is text, not mathtext
        }
    )


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
    fig.draw_without_rendering()
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
                                "numbers": numbers or {}},
                               indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    plt.close(fig)
    return paths + [str(csv), str(note)]


def dictionaries_of(table: pd.DataFrame) -> str:
    """The dictionary stamp a table carries in its ``dictionaries`` column ('' when it has none)."""
    if "dictionaries" not in table.columns or table.empty:
        return ""
    return "; ".join(dict.fromkeys(str(v) for v in table["dictionaries"].dropna() if str(v)))
