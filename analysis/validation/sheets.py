"""What goes out to the coders: one blind coding sheet per coder, and the codebook.

Texts are untrusted: :func:`coding_sheets` neutralises spreadsheet formulas
(see there); escape texts wherever else they are shown.

Reference: krippendorff2018content (independent coders, blind coding, instructions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from analysis.errors import bad_value, int_arg
from analysis.lexicons import Lexicon
from analysis.spreadsheet import safe_cell
from analysis.validation.common import frame_entries, lexicons_arg, names_arg, require, stream

__all__ = ["SHEET_COLUMNS", "coding_sheets", "codebook"]

#: Columns of each sheet of :func:`coding_sheets`.
SHEET_COLUMNS = ["item_id", "frame", "definition", "text", "context", "code", "note"]


def coding_sheets(
    sample: pd.DataFrame,
    *,
    coders: Sequence[str],
    context: pd.DataFrame | None = None,
    lexicons: Lexicon | Sequence[Lexicon] = (),
    seed: int = 0,
    escape_formulas: bool = True,
) -> dict[str, pd.DataFrame]:
    """One blind coding sheet per coder: the sample's items in an order of its own.

    Each sheet has :data:`SHEET_COLUMNS`: ``item_id`` (the key
    :func:`analysis.validation.codes.read_codes` joins on), ``frame``, ``definition`` (the frame's
    label and description from ``lexicons``, as in :func:`codebook`; without
    them the placeholder ``"see the codebook, frame <frame>"``), ``text``,
    ``context`` (the text of the parent comment when ``context`` is given and
    the parent is in it, else empty), an empty ``code`` column for the coder
    (0 or 1; leave blank when unsure whether to code at all) and an empty
    ``note``. Nothing the dictionary decided (stratum, dict_label, terms) is
    on the sheet: coders code blind. When the sample has a ``language``
    column (:func:`analysis.validation.sampling.draw_coding_sample`), the
    sheet carries it after ``frame``, so each item can go to a coder who reads
    its language.

    ``context`` is the comments table (columns thread_id, comment_id,
    parent_id, text): an item's parent is the comment ``parent_id`` of the
    same thread. Top-level comments and articles get no context.

    Items are shuffled per coder by ``default_rng([seed, crc32(coder)])``, so
    coders see different orders (order effects do not line up across
    coders) and a coder's sheet does not change when another coder is added.

    ``escape_formulas``: a text starting with ``=``, ``+``, ``-``, ``@``, tab or
    carriage return (and not a plain number) gets a leading ``'``, so that a
    spreadsheet opening the sheet shows it instead of running it as a formula
    (untrusted text; :func:`analysis.spreadsheet.safe_cell`, the project's one
    rule). This changes what the coder sees by one character; ``item_id`` is
    untouched.

    Line ends in ``text``, ``context`` and ``definition`` are ``\\n`` (a
    ``\\r\\n`` or lone ``\\r`` becomes ``\\n``, after the formula check).

    Caveats: write the sheets as text (CSV, quoted) and read them back with
    ``dtype=str``; a spreadsheet may turn ids into numbers or dates.

    Reference: krippendorff2018content (independent coders, blind coding).
    """
    require(sample, "sample", ["item_id", "frame", "thread_id", "comment_id", "doc", "text"])
    coders = names_arg("coders", coders, what="coder")
    seed = int_arg("seed", seed, minimum=0)
    entries = frame_entries(lexicons_arg(lexicons))
    base = pd.DataFrame({"item_id": sample["item_id"].astype(str).to_numpy(),
                         "frame": sample["frame"].astype(str).to_numpy()})
    columns = list(SHEET_COLUMNS)
    if "language" in sample.columns:
        base["language"] = sample["language"].fillna("und").astype(str).to_numpy()
        columns.insert(columns.index("frame") + 1, "language")
    base["definition"] = [_definition(f, entries) for f in base["frame"]]
    base["text"] = sample["text"].fillna("").astype(str).to_numpy()
    base["context"] = ""
    if context is not None:
        require(context, "context", ["thread_id", "comment_id", "parent_id", "text"])
        ctx = context[["thread_id", "comment_id", "parent_id", "text"]].astype({"thread_id": str, "comment_id": str,
                                                                                "parent_id": str})
        text_of = dict(zip(zip(ctx["thread_id"], ctx["comment_id"]), ctx["text"].fillna("").astype(str)))
        parent_of = dict(zip(zip(ctx["thread_id"], ctx["comment_id"]), ctx["parent_id"].fillna("")))
        keys = list(zip(sample["thread_id"].astype(str), sample["comment_id"].astype(str), sample["doc"].astype(str)))
        base["context"] = [
            text_of.get((t, parent_of.get((t, c), "")), "") if doc == "comment" and parent_of.get((t, c), "") else ""
            for t, c, doc in keys
        ]
    for col in ("text", "context", "definition"):
        if escape_formulas:
            base[col] = base[col].map(safe_cell)
        # one kind of line end: a lone carriage return is written unquoted by Python's csv module (3.11) with "\n"
        # line ends, and a spreadsheet or csv reader then starts a new row there
        if len(base):  # (an empty sample's columns hold no strings)
            base[col] = base[col].str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n", regex=False)
    base["code"] = ""
    base["note"] = ""
    sheets = {}
    for coder in coders:
        order = stream(seed, coder).permutation(len(base))
        sheets[coder] = base.iloc[order][columns].reset_index(drop=True)
    return sheets


def _definition(frame: str, entries: Mapping[str, dict]) -> str:
    spec = entries.get(frame)
    if spec is None:
        return f"see the codebook, frame {frame}"
    label = str(spec.get("label", frame))
    desc = " ".join(str(spec.get("description", "")).split())
    return f"{label}: {desc}" if desc else label


def codebook(lexicons: Lexicon | Sequence[Lexicon], *, frames: Sequence[str] | None = None,
             show_terms: bool = True) -> str:
    """The coders' instructions as Markdown: the task, the coding rules, then one section per frame.

    Each frame section gives its label, name, description and (with
    ``show_terms``) the dictionary's terms. ``frames`` limits and orders the
    sections (default: every frame of ``lexicons`` in file order).

    Caveats: showing the terms may lead coders to look for words instead of
    reading for the frame; ``show_terms=False`` keeps them out (the rules
    already say a word alone is not enough).

    Reference: krippendorff2018content (instructions and coding rules),
    card2015media (frame dimensions).
    """
    lexicons = lexicons_arg(lexicons)
    if not lexicons:
        raise bad_value("lexicons", lexicons, "at least one Lexicon")
    entries = frame_entries(lexicons)
    names = list(entries) if frames is None else names_arg("frames", frames, what="frame")
    unknown = [f for f in names if f not in entries]
    if unknown:
        raise bad_value("frames", frames, f"frames of the given lexicons (unknown: {unknown})")
    sources = ", ".join(f"{lx.name} {lx.version} (sha256 {lx.short_hash})" for lx in lexicons)
    lines = [
        "# Codebook: frames in comments and articles",
        "",
        f"Dictionaries: {sources}.",
        "",
        "## Your task",
        "",
        "Each row of your sheet is one *item*: a text and one frame. Read the text (and, when given, the",
        "comment it replies to, under `context`) and decide whether the text uses that frame.",
        "",
        "## Coding rules",
        "",
        "- Write **1** in `code` if the text uses the frame **in the author's own voice**: the author",
        "  defines, explains, evaluates or argues about the issue in terms of this frame.",
        "- Write **0** otherwise. In particular:",
        "  - a word that belongs to the frame is not enough: the frame must be what the author talks",
        "    about or argues with (\"the cost of living\" in a joke about a cat is 0 for Economic);",
        "  - words of someone else that the author quotes, reports or mocks without adopting them are 0;",
        "    a quotation the author uses to make their own point in this frame is 1;",
        "  - the `context` is there to understand the text; code only the text itself.",
        "- A text that argues *against* a view in the frame's own terms still uses it (\"the ban will not",
        "  cost jobs\" is 1 for Economic): code the frame as a dimension of the issue, whatever the",
        "  author's side or judgement.",
        "- Leave `code` **blank** only if you cannot read or understand the text at all (wrong language,",
        "  broken text); say why in `note`. A blank is a missing code, not a 0.",
        "- Code every item on its own; do not look at other coders' sheets, at the dictionary's results",
        "  or at the item's position in the sheet.",
        "- Use `note` for anything the analyst should know (a hard case, a typo in the text).",
        "",
        "## Frames",
    ]
    for frame in names:
        spec = entries[frame]
        lines += ["", f"### {spec.get('label', frame)} (`{frame}`)", ""]
        desc = " ".join(str(spec.get("description", "")).split())
        lines.append(desc or "(no description in the dictionary)")
        if show_terms:
            terms = list(spec.get("terms", [])) + [t for t in spec.get("case_sensitive", [])
                                                   if t not in spec.get("terms", [])]
            lines += ["", "Words the dictionary looks for (a word alone is not the frame): " + ", ".join(terms) + "."]
    return "\n".join(lines) + "\n"
