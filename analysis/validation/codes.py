"""What comes back from the coders: the returned sheets checked and stacked, pivoted, and adjudicated.

:func:`read_codes` checks the returned sheets and gives one long table
``(item_id, coder, code)``; :func:`reliability_matrix` pivots it to units x
coders (the input of :mod:`analysis.validation.agreement`);
:func:`adjudicate` makes the gold label of each item by majority vote.

Codes are 0 (frame absent), 1 (frame present) or blank (not coded, a
missing value). Missing values are never read as 0.

Reference: krippendorff2018content (missing values in reliability data).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.errors import InputError, bad_value
from analysis.validation.common import names_arg, require

__all__ = ["parse_code", "read_codes", "reliability_matrix", "adjudicate"]


def parse_code(value) -> float | None:
    """One code as read from a sheet: 0.0, 1.0, NaN for blank, or None for an invalid code."""
    if value is None or value is pd.NA or value is pd.NaT:
        return np.nan
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return float(value) if value in (0, 1) else None
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return np.nan
        return float(value) if value in (0.0, 1.0) else None
    if isinstance(value, str):
        s = value.strip()
        if s == "":
            return np.nan
        return {"0": 0.0, "1": 1.0, "0.0": 0.0, "1.0": 1.0}.get(s)
    return None


def read_codes(sheets: Mapping[str, pd.DataFrame], sample: pd.DataFrame) -> pd.DataFrame:
    """Check the returned coding sheets and stack them: one row per (item, coder).

    ``sheets`` maps coder -> that coder's sheet (as read back, best with
    ``dtype=str, keep_default_na=False``); a sheet needs columns ``item_id``
    and ``code``; extra columns are ignored, except ``frame``, which must
    agree with the sample when filled in. Rows may come in any order.

    Codes: ``0`` and ``1`` (also ``0.0``/``1.0`` as a spreadsheet writes them,
    and the numbers 0 and 1); **blank** (empty, whitespace, NaN, None) means
    *not coded*: a missing value, kept as ``<NA>``, never read as 0. Items of
    the sample that a sheet lacks are missing for that coder too (they get
    no row).

    Returns item_id, coder, code (pandas ``Int64``, ``<NA>`` when blank), in
    the order coders are given, then sheet order.

    Errors (:class:`~analysis.errors.InputError` naming the coder's sheet and
    the record, 1-based among the data rows): a missing column, an empty or
    unknown item id, an item listed twice, a frame other than the sample's,
    a code that is not 0, 1 or blank (``"yes"``, ``2``, ``True``).

    Reference: krippendorff2018content (missing values in reliability data).
    """
    require(sample, "sample", ["item_id", "frame"])
    if not isinstance(sheets, Mapping) or not sheets:
        raise bad_value("sheets", type(sheets).__name__, "a non-empty dict coder -> DataFrame")
    frame_of = dict(zip(sample["item_id"].astype(str), sample["frame"].astype(str)))
    parts = []
    for coder, sheet in sheets.items():
        where = f"coding sheet of coder {coder!r}"
        if not isinstance(coder, str) or not coder:
            raise bad_value("sheets", coder, "coder names that are non-empty strings")
        if not isinstance(sheet, pd.DataFrame):
            raise InputError(where, f"expected a table (DataFrame), got {type(sheet).__name__}")
        missing = [c for c in ("item_id", "code") if c not in sheet.columns]
        if missing:
            raise InputError(where, f"missing column(s) {missing}; the sheet has {list(sheet.columns)}")
        ids, codes = [], []
        seen: dict[str, int] = {}
        frames = sheet["frame"].tolist() if "frame" in sheet.columns else [None] * len(sheet)
        for record, (raw_id, raw_code, raw_frame) in enumerate(zip(sheet["item_id"].tolist(), sheet["code"].tolist(),
                                                                   frames), start=1):
            item = "" if raw_id is None or (isinstance(raw_id, float) and np.isnan(raw_id)) else str(raw_id).strip()
            if not item:
                raise InputError(where, "empty item_id", record=record)
            if item not in frame_of:
                raise InputError(where, f"unknown item id {item!r}: not in the coding sample", record=record)
            if item in seen:
                raise InputError(where, f"item id {item!r} appears twice (first at record {seen[item]})", record=record)
            seen[item] = record
            if isinstance(raw_frame, str) and raw_frame.strip() and raw_frame.strip() != frame_of[item]:
                raise InputError(where, f"item {item!r} has frame {raw_frame.strip()!r}; "
                                 f"the sample says {frame_of[item]!r}",
                                 record=record)
            code = parse_code(raw_code)
            if code is None:
                raise InputError(where, f"item {item!r}: invalid code {raw_code!r}; expected 0, 1 or blank (not coded)",
                                 record=record)
            ids.append(item)
            codes.append(code)
        parts.append(pd.DataFrame({"item_id": pd.Series(ids, dtype=object), "coder": coder,
                                   "code": pd.array(codes, dtype="float64")}))
    out = pd.concat(parts, ignore_index=True)
    out["code"] = pd.array([pd.NA if np.isnan(c) else int(c) for c in out["code"].to_numpy(dtype=float)], dtype="Int64")
    out["coder"] = out["coder"].astype(object)
    return out[["item_id", "coder", "code"]]


def reliability_matrix(codes: pd.DataFrame, *, coders: Sequence[str] | None = None) -> pd.DataFrame:
    """Units x coders: the codes of :func:`read_codes` pivoted, NaN where a coder gave no code.

    Rows are item ids (sorted), columns coders (``coders`` order, else first
    appearance); values float 0.0/1.0/NaN. This is the input of
    :func:`analysis.validation.agreement.krippendorff_alpha`.
    """
    require(codes, "codes", ["item_id", "coder", "code"])
    names = list(pd.unique(codes["coder"])) if coders is None else names_arg("coders", coders, what="coder")
    values = pd.to_numeric(codes["code"], errors="coerce").astype("float64")
    table = pd.DataFrame({"item_id": codes["item_id"].astype(str), "coder": codes["coder"], "code": values})
    if table.duplicated(["item_id", "coder"]).any():
        raise bad_value("codes", "duplicate (item_id, coder)", "one code per item and coder (as read_codes gives)")
    wide = table.pivot(index="item_id", columns="coder", values="code").reindex(columns=names).sort_index()
    wide.columns.name = "coder"
    return wide.astype("float64")


def adjudicate(codes: pd.DataFrame) -> pd.DataFrame:
    """Gold label per item by majority vote of the coders' non-missing codes.

    Returns item_id (sorted), ``gold`` (``Int64``: 1 if more coders gave 1
    than 0, 0 if more gave 0; ``<NA>`` on a tie or when nobody coded the
    item), ``n_codes`` (non-missing codes), ``n_ones`` and ``tie`` (True when
    as many coders gave 1 as 0, at least one each).

    Caveats: ties are not broken: with two coders every disagreement is a
    tie, so ``gold`` is missing there and :func:`analysis.validation.accuracy.precision_recall` leaves
    those items out (``n_unlabelled``). Resolve ties by discussion or a third
    coder and pass the resolved codes as another coder, or report them. A
    majority of 2 to 1 counts like unanimity; the ``n_ones``/``n_codes``
    ratio shows how clear an item was.

    Reference: krippendorff2018content.
    """
    require(codes, "codes", ["item_id", "code"])
    c = pd.DataFrame({"item_id": codes["item_id"].astype(str),
                      "code": pd.to_numeric(codes["code"], errors="coerce").astype("float64")})
    bad = c["code"].notna() & ~c["code"].isin([0.0, 1.0])
    if bad.any():
        raise bad_value("codes", c.loc[bad, "code"].iloc[0], "codes 0, 1 or missing")
    g = c.groupby("item_id", sort=True)["code"]
    n_codes = g.count().astype("int64")
    n_ones = g.sum(min_count=0).fillna(0).astype("int64")
    n_zeros = n_codes - n_ones
    gold = pd.array([1 if o > z else 0 if z > o else pd.NA for o, z in zip(n_ones, n_zeros)], dtype="Int64")
    return pd.DataFrame({"item_id": n_codes.index.to_numpy(dtype=object), "gold": gold,
                         "n_codes": n_codes.to_numpy(), "n_ones": n_ones.to_numpy(),
                         "tie": ((n_ones == n_zeros) & (n_codes > 0)).to_numpy()})
