"""The validation round trip of a run: rules ``coding_sample`` and ``validation_report``.

``coding_sample`` draws the stratified sample and writes one blind sheet per
coder and a codebook. ``validation_report`` reads the coded sheets back
(from ``validation.coded_sheets``, one ``<coder>.csv`` per coder, when that
folder exists), reports Krippendorff's alpha per frame, adjudicates a gold
label, and computes the dictionary's precision, recall and F1 against it;
and, when ``validation.label_column`` names a column already in the data,
compares the dictionary with those labels too. Whatever is not configured is
reported as such, so the book can say what was and was not validated.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.validation import (
    adjudicate,
    agreement_by_frame,
    by_frame,
    compare_to_labels,
    read_codes,
    worst_errors,
)

__all__ = ["validation_report", "read_sheets"]


def read_sheets(folder: str | Path, coders) -> dict[str, pd.DataFrame]:
    """The coded sheets present in ``folder`` (``<coder>.csv``), read as text."""
    folder = Path(folder)
    return {c: pd.read_csv(folder / f"{c}.csv", dtype=str, keep_default_na=False)
            for c in coders if (folder / f"{c}.csv").is_file()}


def validation_report(docs: pd.DataFrame, sample: pd.DataFrame, sheets: dict, *, options: dict) -> dict:
    """Alpha, gold labels and P/R/F1 from coded sheets; P/R/F1 against a label column. Tables + summary."""
    common = dict(n_boot=options["n_boot"], seed=options["seed"])
    out = {"summary": {"coders_returned": sorted(sheets), "coders": list(options["coders"]),
                       "label_column": options["label_column"]}}
    empty = pd.DataFrame()
    out["alpha"] = out["coded"] = out["errors"] = out["labels"] = empty
    if len(sheets) >= 1:
        codes = read_codes(sheets, sample)
        gold = adjudicate(codes)
        table = sample.merge(gold, on="item_id", how="left")
        out["coded"] = by_frame(table.dropna(subset=["gold"]), weights="weight", **common)
        out["errors"] = worst_errors(table.dropna(subset=["gold"]), n=options["worst_errors"])
        out["summary"].update(n_codes=int(codes["code"].notna().sum()), n_ties=int(gold["tie"].sum()),
                              n_gold=int(gold["gold"].notna().sum()))
        if len(sheets) >= 2:
            out["alpha"] = agreement_by_frame(codes, sample, **common)
    if options["label_column"]:
        if options["label_column"] not in docs.columns:
            out["summary"]["label_problem"] = f"no column {options['label_column']!r} in the data"
        else:
            labels = docs[docs["doc"] == "comment"]
            cluster = options["cluster"] if options["cluster"] in labels.columns else None
            out["labels"] = compare_to_labels(docs, labels, mapping=options["code_of_frame"],
                                              label_column=options["label_column"], clusters=cluster, **common)
    return out
