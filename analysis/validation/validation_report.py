"""Rule ``validation_report``: what the coders returned and the label columns in the data, as alpha and P/R/F1.

Reads the coded sheets back (from ``validation.coded_sheets``, one
``<coder>.csv`` per coder, when that folder exists), reports Krippendorff's
alpha per frame, adjudicates a gold label, and computes the dictionary's
precision, recall and F1 against it; and, when ``validation.label_column``
names a column already in the data, compares the dictionary with those
labels too. Whatever is not configured is reported as such, so the book can
say what was and was not validated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from analysis.language import UNDETERMINED
from analysis.validation.accuracy import by_frame, compare_to_labels, worst_errors
from analysis.validation.agreement import agreement_by_frame
from analysis.validation.codes import adjudicate, read_codes

__all__ = ["validation_report", "read_sheets"]


def read_sheets(folder: str | Path, coders: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The coded sheets present in ``folder`` (``<coder>.csv``), read as text."""
    folder = Path(folder)
    return {c: pd.read_csv(folder / f"{c}.csv", dtype=str, keep_default_na=False)
            for c in coders if (folder / f"{c}.csv").is_file()}


def validation_report(
    docs: pd.DataFrame,
    sample: pd.DataFrame,
    sheets: Mapping[str, pd.DataFrame],
    *,
    coders: Sequence[str],
    label_column: str,
    code_of_frame: Mapping[str, object],
    cluster: str | None,
    n_boot: int,
    seed: int,
    n_errors: int,
) -> dict:
    """Alpha, gold labels and P/R/F1 from coded sheets; P/R/F1 against a label column. Tables + summary.

    ``docs`` is the framing documents table (with ``hits_<frame>`` and any
    metadata columns), ``sample`` the coding sample as written, ``sheets``
    the returned sheets (:func:`read_sheets`). The keywords are the
    ``validation`` config section: ``coders`` (all coders sheets went out
    to), ``label_column`` (a metadata column with human labels; ``""``:
    none), ``code_of_frame`` (frame -> label value(s)), ``cluster``
    (a column to resample for the label intervals; ignored when the data
    lack it), ``n_boot`` and ``seed`` (the bootstraps), ``n_errors`` (false
    positives and negatives listed per frame, config key ``worst_errors``).

    Returns a dict: ``summary`` (coders returned and configured, label
    column; with sheets, the numbers of codes, ties and gold labels; a
    ``label_problem`` when the label column is missing) and the tables
    ``alpha`` (two sheets or more), ``coded`` and ``errors`` (one sheet or
    more) and ``labels`` (with a label column); a table not computed is empty.

    Languages: when the coded items (the sample's ``language`` column) or
    the labelled documents (``docs``' ``language``) hold two or more
    determined languages, ``coded`` or ``labels`` has a ``language`` column:
    each frame's row over all languages (``all``) and one per language
    (:func:`~analysis.validation.accuracy.by_frame` and
    :func:`~analysis.validation.accuracy.compare_to_labels` with
    ``by="language"``), and the summary lists those languages
    (``coded_languages``, ``label_languages``). A
    frame's label comparison leaves out the documents where it is not
    measured (``hits_<frame>`` missing); the summary's
    ``labels_not_measured`` counts them per frame (when any). With one
    language the tables and summary are those of a run without languages.
    """
    common = dict(n_boot=n_boot, seed=seed)
    out = {"summary": {"coders_returned": sorted(sheets), "coders": list(coders), "label_column": label_column}}
    empty = pd.DataFrame()
    out["alpha"] = out["coded"] = out["errors"] = out["labels"] = empty
    if len(sheets) >= 1:
        codes = read_codes(sheets, sample)
        gold = adjudicate(codes)
        table = sample.merge(gold, on="item_id", how="left")
        coded = table.dropna(subset=["gold"])
        by = _language_column(coded)
        if by:
            out["summary"]["coded_languages"] = sorted(_determined(coded, by))
        out["coded"] = by_frame(coded, weights="weight", by=by, **common)
        out["errors"] = worst_errors(coded, n=n_errors)
        out["summary"].update(n_codes=int(codes["code"].notna().sum()), n_ties=int(gold["tie"].sum()),
                              n_gold=int(gold["gold"].notna().sum()))
        if len(sheets) >= 2:
            out["alpha"] = agreement_by_frame(codes, sample, **common)
    if label_column:
        if label_column not in docs.columns:
            out["summary"]["label_problem"] = f"no column {label_column!r} in the data"
        else:
            labels = docs[docs["doc"] == "comment"]
            clusters = cluster if cluster in labels.columns else None
            by = _language_column(labels)
            if by:
                out["summary"]["label_languages"] = sorted(_determined(labels, by))
            out["labels"] = compare_to_labels(docs, labels, mapping=code_of_frame, label_column=label_column,
                                              clusters=clusters, by=by, **common)
            left_out = _not_measured(labels, label_column, code_of_frame)
            if left_out:
                out["summary"]["labels_not_measured"] = left_out
    return out


def _not_measured(labels: pd.DataFrame, label_column: str, frames) -> dict[str, int]:
    """Frame -> labelled documents left out of its comparison because it is not measured in them (``hits_<frame>``
    missing), for the frames with any."""
    labelled = labels[label_column].notna() & (labels[label_column].astype(str).str.strip() != "")
    out = {}
    for f in frames:
        col = f"hits_{f}"
        n = int((labelled & labels[col].isna()).sum()) if col in labels.columns else 0
        if n:
            out[f] = n
    return out


def _determined(table: pd.DataFrame, column: str | None) -> set[str]:
    """The determined languages (not ``und``, not missing) of ``table``'s ``column`` (none without a column)."""
    if column is None:
        return set()
    return set(table[column].dropna().astype(str)) - {UNDETERMINED}


def _language_column(table: pd.DataFrame) -> str | None:
    """``"language"`` when ``table`` has that column with two or more determined languages, else None: rows per
    language only where there are several."""
    return "language" if len(_determined(table, "language" if "language" in table.columns else None)) >= 2 else None
