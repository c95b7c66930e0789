"""The FrAC sentences (guida2025frac) as documents, and the dictionary against their frame codes.

FrAC ("From Articles to Comments") codes each of its 523 sentences with one
Media Frames Corpus frame. :func:`frac_sentences` turns its gold file into
one document per sentence; :func:`frac_validation` compares the dictionary's
matches on them with the codes (:func:`analysis.validation.accuracy.compare_to_labels`).
A dataset adapter: the workflow reads FrAC as an ordinary CSV source
(``config/examples/frac.yaml``); these two reproduce ``data/lexicons/FRAC.md``.

References: guida2025frac, card2015media.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.validation.accuracy import compare_to_labels, document_predictions
from analysis.validation.common import names_arg, require

__all__ = ["frac_sentences", "frac_validation"]


def frac_sentences(raw: pd.DataFrame) -> pd.DataFrame:
    """The FrAC gold file (columns sentence, label, id, type; read with ``dtype=str``) as documents.

    One document per sentence: ``thread_id`` = ``type`` (``comment`` or
    ``article``; ``unknown`` when blank), ``comment_id`` = the 1-based record
    number (FrAC's ``id`` is the source article or comment, shared by its
    sentences, so it is not unique), ``doc`` = ``"comment"``, ``text`` =
    ``sentence``, ``label`` (the MFC code, as text) and ``source_id`` = ``id``
    (``record-<n>`` when blank), the cluster to resample.
    """
    require(raw, "raw", ["sentence", "label", "id", "type"])
    n = len(raw)
    record = pd.Series(np.arange(1, n + 1), dtype="int64").astype(str)
    kind = raw["type"].fillna("").astype(str).str.strip().reset_index(drop=True)
    source = raw["id"].fillna("").astype(str).str.strip().reset_index(drop=True)
    return pd.DataFrame({
        "thread_id": kind.where(kind != "", "unknown"),
        "comment_id": record,
        "doc": "comment",
        "text": raw["sentence"].fillna("").astype(str).to_numpy(),
        "label": raw["label"].fillna("").astype(str).str.strip().to_numpy(),
        "source_id": source.where(source != "", "record-" + record),
    })


def frac_validation(
    sentences: pd.DataFrame,
    matches: pd.DataFrame,
    *,
    code_of_frame: Mapping[str, object],
    label_column: str = "label",
    clusters: str | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The dictionary against the FrAC sentences' Media Frames Corpus codes (guida2025frac).

    ``sentences`` has one row per annotated sentence with thread_id,
    comment_id (and optionally doc, default ``"comment"``) and the MFC code
    in ``label_column``; ``matches`` is :func:`analysis.matcher.match_frames`
    on those sentences. For each frame of ``code_of_frame`` (frame -> MFC
    code, or list of codes): gold = the sentence's code is the frame's code,
    predicted = the sentence has a *counted* match of the frame. Returns the
    table of :func:`compare_to_labels` (P, R, F1 with bootstrap intervals,
    counts). Use ``clusters`` (e.g. the FrAC ``id`` column: several
    sentences come from one article or comment) to resample source
    documents.

    Caveats: FrAC gives one frame per sentence (the dominant one); a
    sentence that also touches the frame is gold 0, which lowers precision.
    Sentences are short, which lowers recall of a word list compared with
    whole comments.

    References: guida2025frac, card2015media.
    """
    frames = names_arg("code_of_frame", list(code_of_frame) if isinstance(code_of_frame, Mapping) else code_of_frame,
                        what="frame")
    s = sentences.copy()
    if "doc" not in s.columns:
        s["doc"] = "comment"
    preds = document_predictions(s, matches, frames=frames)
    return compare_to_labels(preds, s, mapping=code_of_frame, label_column=label_column, clusters=clusters,
                             n_boot=n_boot, seed=seed, confidence=confidence)
