"""Stance: for or against a target, from the cues of a two-pole stance dictionary.

A *stance dictionary* has the format of a frame dictionary
(:mod:`analysis.lexicons`) whose frames are the two poles of a stance toward
one target, e.g. ``pro_government`` / ``anti_government`` toward the Syrian
government, and optionally a top-level key naming them::

    stance: {target: "the Syrian government", pro: pro_government, anti: anti_government}

Stance is "whether the author of a text is in favour of, against, or neutral
toward a proposition or target" (mohammad2016stance). A dictionary sees only
its cues, so every measure here is *lexical stance*: the balance of pro and
anti cues, with an explicit "abstain" where there are no cues at all.

Counting rules (what "how was this scored?" is answered by):

- Only ``counted`` matches of :func:`analysis.matcher.match_frames` are used:
  with the default configuration, cues inside quotation marks are not counted
  (a commenter quoting an opponent does not take the opponent's stance).
- A *negated* cue (a negation among the few tokens before it, see
  :mod:`analysis.matcher`) counts for the **opposite** pole when
  ``flip_negated`` is true: "Assad is not a dictator" is read as a
  pro-government cue, "guns should not be banned" as an anti-control cue. The
  choice rests on cues that are claims or demands, where a negation denies
  the claim. It is wrong for cues that are identities or slogans, where the
  negation usually belongs to another clause ("I'm not giving up my guns",
  "No, guns don't kill people"), for double negation and for rhetorical
  questions ("isn't he a dictator?"), and it depends on the configured
  negation window. On the CreateDebate gun debates the flip *lowered*
  agreement with the debaters' sides (kappa 0.385 without, 0.352 with;
  ``data/lexicons/STANCE_INCIVILITY.md``): check it on your corpus and report
  which setting was used. With ``count_negated: false`` negated matches are
  not counted at all, and nothing is flipped.
- score = (pro − anti) / (pro + anti), in [−1, 1]; label ``pro`` (score > 0),
  ``anti`` (< 0), ``neutral`` (cues on both sides in equal number), or
  ``abstain`` when the document has fewer than ``min_hits`` cues: no
  evidence is not the same as a neutral stance.

References (bibtex keys): mohammad2016stance (stance detection),
cohen1960coefficient (kappa), krippendorff2018content (reliability and
validity of content-analysis measures).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import yaml

from analysis.errors import bad_value
from analysis.lexicons import Lexicon
from analysis.matcher import TokenIndex, document_texts, match_frames

__all__ = [
    "LABELS",
    "ABSTAIN",
    "comment_stance",
    "author_stance",
    "stance_summary",
    "stance_coverage",
    "agreement",
    "stance_poles",
]

ABSTAIN = "abstain"
#: Every label a stance measure gives, in a fixed order.
LABELS = ("pro", "anti", "neutral", ABSTAIN)

_KEYS = ["thread_id", "comment_id", "doc"]
_STANCE_COLUMNS = ["thread_id", "comment_id", "doc", "n_pro", "n_anti", "score", "label"]
_AUTHOR_COLUMNS = [
    "author_id", "known_author", "thread_id", "comment_id", "n_comments", "n_scored",
    "n_pro", "n_anti", "score", "mean_comment_score", "label",
]


def stance_poles(lexicon_path) -> dict:
    """The optional ``stance`` key of a dictionary file: ``{"target", "pro", "anti"}``, or ``{}``.

    :func:`analysis.lexicons.load_lexicon` validates the key but does not keep
    it on the :class:`~analysis.lexicons.Lexicon`; this reads it from the file.
    Raises ``ValueError`` when a named pole is not a frame of the file.
    """
    with open(lexicon_path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    spec = dict(doc.get("stance") or {})
    for pole in ("pro", "anti"):
        if pole in spec and spec[pole] not in doc.get("frames", {}):
            raise ValueError(f"{lexicon_path}: stance.{pole}={spec[pole]!r} is not a frame of the dictionary")
    return spec


def _require(df: pd.DataFrame, name: str, columns) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; has {list(df.columns)}")


def _label(n_pro: np.ndarray, n_anti: np.ndarray, enough: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """score and label for arrays of pole counts; ``enough`` says where there is evidence."""
    total = n_pro + n_anti
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(enough & (total > 0), (n_pro - n_anti) / np.where(total > 0, total, 1), np.nan)
    label = np.select([~enough | (total == 0), score > 0, score < 0], [ABSTAIN, "pro", "anti"], "neutral")
    return score.astype(float), label.astype(object)


def comment_stance(
    matches: pd.DataFrame,
    docs: pd.DataFrame,
    *,
    pro: str,
    anti: str,
    flip_negated: bool = True,
    min_hits: int = 1,
) -> pd.DataFrame:
    """Lexical stance of each document: its pro and anti cues, score and label.

    ``matches`` is the output of :func:`analysis.matcher.match_frames` for a
    stance dictionary (columns ``thread_id``, ``comment_id``, ``doc``,
    ``frame``, ``negated``, ``counted``); only ``counted`` rows of the frames
    ``pro`` and ``anti`` are used. ``docs`` lists every document to score
    (``thread_id``, ``comment_id``, ``doc``), so that documents without any
    cue appear (as ``abstain``); matches of documents not in ``docs`` are left
    out (pass only the comments to score only comments).

    Returns one row per row of ``docs``, in its order, with columns
    ``thread_id``, ``comment_id``, ``doc``, ``n_pro``, ``n_anti`` (cues per
    pole after flipping negated ones), ``score`` = (n_pro − n_anti) /
    (n_pro + n_anti) (NaN when abstaining) and ``label`` (``pro``, ``anti``,
    ``neutral`` or ``abstain``; see the module docstring).

    Meaning: the balance of the document's stance cues. Higher means: a
    score near +1 is a document whose cues are (almost) all pro, near −1 all
    anti; 0 is balanced.

    Caveats: a cue counts whatever it refers to (target confusion:
    "terrorists" is said by both sides, of different people), sarcasm and
    irony are read literally, quotation without quotation marks is not
    detected, and one cue is thin evidence (raise ``min_hits`` to demand
    more; each raise trades coverage for precision). See
    ``data/lexicons/STANCE_INCIVILITY.md``.

    Reference: mohammad2016stance.
    """
    if pro == anti:
        raise bad_value("anti", anti, "a frame different from pro")
    if isinstance(min_hits, bool) or not isinstance(min_hits, (int, np.integer)) or min_hits < 1:
        raise bad_value("min_hits", min_hits, "an integer >= 1")
    _require(matches, "matches", _KEYS + ["frame", "negated", "counted"])
    _require(docs, "docs", _KEYS)
    base = docs[_KEYS].reset_index(drop=True)
    if base.duplicated().any():
        raise ValueError("docs: each (thread_id, comment_id, doc) must appear once")

    m = matches.loc[matches["counted"].astype(bool) & matches["frame"].isin([pro, anti]), _KEYS + ["frame", "negated"]]
    is_pro = (m["frame"] == pro).to_numpy()
    if flip_negated:
        is_pro = is_pro ^ m["negated"].astype(bool).to_numpy()
    counts = (
        m[_KEYS].assign(n_pro=is_pro.astype(np.int64), n_anti=(~is_pro).astype(np.int64))
        .groupby(_KEYS, sort=False)[["n_pro", "n_anti"]].sum()
    )
    out = base.merge(counts, left_on=_KEYS, right_index=True, how="left")
    out[["n_pro", "n_anti"]] = out[["n_pro", "n_anti"]].fillna(0).astype("int64")
    n_pro, n_anti = out["n_pro"].to_numpy(), out["n_anti"].to_numpy()
    out["score"], out["label"] = _label(n_pro, n_anti, (n_pro + n_anti) >= min_hits)
    return out[_STANCE_COLUMNS].reset_index(drop=True)


def author_stance(comment_scores: pd.DataFrame, authors: pd.DataFrame, *, min_comments: int = 1) -> pd.DataFrame:
    """Lexical stance per author, pooling the cues of all their comments.

    ``comment_scores`` is the output of :func:`comment_stance` (rows whose
    ``doc`` is not ``comment``, e.g. article bodies, are left out);
    ``authors`` has ``thread_id``, ``comment_id`` and ``author_id`` (a
    pseudonym; ``''`` or missing when unknown). A comment without a row in
    ``authors`` has an unknown author.

    Unknown authors are never aggregated: ``''`` is not one person, so each
    comment of an unknown author stays its own unit (one row, with
    ``known_author`` false and its ``thread_id`` and ``comment_id``; those two
    columns are ``''`` on rows of known authors, who may write in several
    threads).

    Columns: ``author_id``, ``known_author``, ``thread_id``, ``comment_id``,
    ``n_comments``, ``n_scored`` (comments that did not abstain), ``n_pro``,
    ``n_anti`` (cues summed over the comments), ``score`` = (Σpro − Σanti) /
    (Σpro + Σanti), ``mean_comment_score`` (mean of the scored comments' own
    scores, for comparison) and ``label`` as in :func:`comment_stance`. A unit
    abstains when it has no cue, or fewer than ``min_comments`` comments
    (so with ``min_comments`` > 1 every unknown-author unit abstains). Known
    authors come first, sorted by ``author_id``, then unknown-author comments
    in the order of ``comment_scores``.

    Meaning and higher means: as for comments; the pooled score weighs every
    cue equally, so a prolific commenter's long comments weigh more than
    their short ones, while ``mean_comment_score`` weighs every scored
    comment equally. The two differ when an author's comments differ in how
    many cues they hold.

    Caveats: an author's stance may change over time or by thread; pooling
    hides that. Pseudonyms that one person shares or changes (sock puppets)
    are not detected. A comment that abstained for lack of ``min_hits`` cues
    in :func:`comment_stance` still contributes its cues here.

    Reference: mohammad2016stance.
    """
    if isinstance(min_comments, bool) or not isinstance(min_comments, (int, np.integer)) or min_comments < 1:
        raise bad_value("min_comments", min_comments, "an integer >= 1")
    _require(comment_scores, "comment_scores", _STANCE_COLUMNS)
    _require(authors, "authors", ["thread_id", "comment_id", "author_id"])
    c = comment_scores.loc[comment_scores["doc"] == "comment"].reset_index(drop=True)
    who = authors[["thread_id", "comment_id", "author_id"]].drop_duplicates(["thread_id", "comment_id"])
    c = c.merge(who, on=["thread_id", "comment_id"], how="left")
    c["author_id"] = c["author_id"].fillna("").astype(str)
    c["scored"] = c["label"] != ABSTAIN
    known = c["author_id"] != ""

    g = c[known].groupby("author_id", sort=True)
    agg = pd.DataFrame(
        {
            "n_comments": g.size(),
            "n_scored": g["scored"].sum(),
            "n_pro": g["n_pro"].sum(),
            "n_anti": g["n_anti"].sum(),
            "mean_comment_score": g["score"].mean(),  # NaN scores (abstaining comments) are skipped
        }
    ).reset_index()
    agg = agg.assign(known_author=True, thread_id="", comment_id="")
    unknown = c.loc[~known, ["author_id", "thread_id", "comment_id", "n_pro", "n_anti", "score", "scored"]].copy()
    unknown = unknown.assign(
        known_author=False, n_comments=1, n_scored=unknown["scored"].astype("int64"),
        mean_comment_score=unknown["score"],
    )
    cols = ["author_id", "known_author", "thread_id", "comment_id", "n_comments", "n_scored", "n_pro", "n_anti",
            "mean_comment_score"]
    out = pd.concat([agg[cols], unknown[cols]], ignore_index=True)
    for col in ("n_comments", "n_scored", "n_pro", "n_anti"):
        out[col] = out[col].astype("int64")
    out["known_author"] = out["known_author"].astype(bool)
    n_pro, n_anti = out["n_pro"].to_numpy(), out["n_anti"].to_numpy()
    enough = ((n_pro + n_anti) > 0) & (out["n_comments"].to_numpy() >= min_comments)
    out["score"], out["label"] = _label(n_pro, n_anti, enough)
    out["mean_comment_score"] = out["mean_comment_score"].astype(float).where(enough)
    return out[_AUTHOR_COLUMNS]


def _label_counts(labels: pd.Series) -> tuple[dict, dict]:
    n = len(labels)
    counts = {k: int((labels == k).sum()) for k in LABELS}
    shares = {k: (v / n if n else float("nan")) for k, v in counts.items()}
    return counts, shares


#: Stance-based results (stance groups, Esteban-Ray) are withheld when the lexicon abstains on more speakers than this.
MAX_ABSTAIN_SHARE = 0.5


def stance_coverage(speaker_scores: pd.DataFrame, *, max_abstain: float = MAX_ABSTAIN_SHARE) -> tuple[bool, str]:
    """Whether stance-based results may be reported: ``(True, "")``, or ``(False, why)`` in one sentence.

    ``speaker_scores`` has one row per speaker with a ``label`` (as from
    :func:`author_stance`). A stance lexicon that abstains on most speakers
    (more than ``max_abstain`` of them) measures the few who happen to use
    its cues, not the corpus: groups formed from it, or an Esteban-Ray index
    over it, would describe a small, self-selected minority as if it were
    everyone (a dictionary written for one debate, applied to another,
    abstains on nearly everyone). Higher ``max_abstain`` reports more, on
    thinner coverage.
    """
    n = len(speaker_scores)
    n_abstain = int((speaker_scores["label"] == ABSTAIN).sum()) if n else 0
    if n_abstain == n:
        return False, "Esteban–Ray: no speaker with a stance score"
    if n_abstain > max_abstain * n:
        return False, (f"stance-based results (stance groups, Esteban-Ray): the stance lexicon abstains on "
                       f"{n_abstain:,} of {n:,} speakers ({n_abstain / n:.0%}), more than {max_abstain:.0%}, so "
                       "what it finds describes the few speakers who use its cues, not the corpus")
    return True, ""


def stance_summary(comment_scores: pd.DataFrame, author_scores: pd.DataFrame | None = None) -> dict:
    """How many comments (and authors) got each label, and how many abstained.

    Returns a plain dict: ``n_comments`` (rows of ``comment_scores`` whose
    ``doc`` is ``comment``), ``n_comments_abstain``,
    ``share_comments_abstain``, ``comment_labels`` and
    ``comment_label_shares`` (per label of :data:`LABELS`); with
    ``author_scores`` (from :func:`author_stance`) also ``n_authors`` (known
    authors), ``n_authors_abstain``, ``share_authors_abstain``,
    ``author_labels``, ``author_label_shares`` (known authors only) and
    ``n_unknown_author_units`` with ``n_unknown_author_units_abstain``.

    Higher means: a larger abstain share is a dictionary that sees less of
    the corpus; the stance results describe only the rest.

    Caveat: shares of abstaining units are shares of units, not of text;
    report them beside every stance result (coverage).

    Reference: krippendorff2018content.
    """
    _require(comment_scores, "comment_scores", ["doc", "label"])
    labels = comment_scores.loc[comment_scores["doc"] == "comment", "label"]
    counts, shares = _label_counts(labels)
    out: dict = {
        "n_comments": int(len(labels)),
        "n_comments_abstain": counts[ABSTAIN],
        "share_comments_abstain": shares[ABSTAIN],
        "comment_labels": counts,
        "comment_label_shares": shares,
    }
    if author_scores is not None:
        _require(author_scores, "author_scores", ["known_author", "label"])
        known = author_scores["known_author"].astype(bool)
        a_counts, a_shares = _label_counts(author_scores.loc[known, "label"])
        unknown = author_scores.loc[~known, "label"]
        out |= {
            "n_authors": int(known.sum()),
            "n_authors_abstain": a_counts[ABSTAIN],
            "share_authors_abstain": a_shares[ABSTAIN],
            "author_labels": a_counts,
            "author_label_shares": a_shares,
            "n_unknown_author_units": int(len(unknown)),
            "n_unknown_author_units_abstain": int((unknown == ABSTAIN).sum()),
        }
    return out


def agreement(predicted: pd.Series, reference: pd.Series, *, mapping: Mapping | None = None) -> dict:
    """How well stance labels agree with a reference label (a group column or hand coding).

    ``predicted`` holds labels of :func:`comment_stance` or
    :func:`author_stance`; ``reference`` the reference label of the same
    items (same index), mapped through ``mapping`` when given (e.g.
    ``{"prefers strict gun control": "pro", "opposes strict gun control":
    "anti"}``; values not in ``mapping`` become missing). Items with a missing
    reference are left out. Items where either side is ``abstain`` (or
    missing) are not compared.

    Returns a dict:

    - ``n_reference``: items with a reference label;
    - ``n``: items compared (neither side abstains);
    - ``coverage``: ``n / n_reference``, the share of items with a reference
      on which the prediction does not abstain;
    - ``accuracy``: share of compared items whose labels are equal;
    - ``kappa``: Cohen's kappa, (p_o − p_e) / (1 − p_e) with p_e from the
      two sides' own label distributions (cohen1960coefficient); NaN when
      p_e = 1;
    - ``macro_f1``: mean over the reference's labels of each label's F1
      (2PR / (P + R)); a predicted label the reference does not use (e.g.
      ``neutral`` against a pro/anti reference) is not a class of its own,
      it only lowers the recall of the item's reference label;
    - ``per_class``: per reference label, ``precision``, ``recall``, ``f1``,
      ``support``;
    - ``confusion``: ``{reference label: {predicted label: count}}`` over
      the compared items, every label of either side in both levels;
    - ``labels``: the labels of the confusion table, sorted.

    Higher means: accuracy, kappa and F1 near 1 are close agreement; kappa
    0 is chance agreement given the two label distributions (negative, worse
    than chance).

    Caveats: agreement is computed only where the dictionary speaks, so it
    must be read together with ``coverage``; a group label (e.g. the side a
    debater chose) is the author's declared position, not a coding of the
    text, so it is a validity check, not a reliability one
    (krippendorff2018content); kappa depends on the marginal distributions
    (it is low when one label dominates).

    References: cohen1960coefficient, krippendorff2018content.
    """
    if not predicted.index.equals(reference.index):
        raise ValueError("predicted and reference must have the same index (one label of each per item)")
    ref = reference.map(dict(mapping)) if mapping is not None else reference
    ref = ref.astype(object).where(ref.notna(), None)
    pred = predicted.astype(object).where(predicted.notna(), None)
    has_ref = ref.map(lambda v: v is not None and v != ABSTAIN).astype(bool)
    both = has_ref & pred.map(lambda v: v is not None and v != ABSTAIN).astype(bool)
    p = pred[both].astype(str).to_numpy()
    r = ref[both].astype(str).to_numpy()
    n = len(p)
    n_reference = int(has_ref.sum())
    labels = sorted(set(p) | set(r))
    confusion = {a: {b: int(((r == a) & (p == b)).sum()) for b in labels} for a in labels}
    nan = float("nan")
    if n == 0:
        return {"n_reference": n_reference, "n": 0, "coverage": 0.0 if n_reference else nan, "accuracy": nan,
                "kappa": nan, "macro_f1": nan, "per_class": {}, "confusion": confusion, "labels": labels}
    po = float((p == r).mean())
    pe = float(sum((p == k).mean() * (r == k).mean() for k in labels))
    kappa = (po - pe) / (1.0 - pe) if pe < 1.0 else nan
    per_class = {}
    for k in sorted(set(r)):
        tp = int(((p == k) & (r == k)).sum())
        n_pred, support = int((p == k).sum()), int((r == k).sum())
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / support
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[k] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    return {
        "n_reference": n_reference,
        "n": n,
        "coverage": n / n_reference,
        "accuracy": po,
        "kappa": kappa,
        "macro_f1": float(np.mean([v["f1"] for v in per_class.values()])),
        "per_class": per_class,
        "confusion": confusion,
        "labels": labels,
    }


def score_stance(
    index: TokenIndex,
    comments: pd.DataFrame,
    threads: pd.DataFrame,
    *,
    stance_lexicon: Lexicon,
    incivility_lexicon: Lexicon,
    flip_negated: bool = False,
    negation_window: int = 3,
    count_quoted: bool = False,
    texts: dict | None = None,
    languages: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Stance cues, label and incivility hits of every document of one shard (rule ``annotate``).

    ``index`` is the :class:`analysis.matcher.TokenIndex` of the documents'
    tokens (one index serves both dictionaries, and rule ``annotate`` shares
    it with :func:`analysis.framing.score_frames`). Returns the columns of
    :data:`analysis.columns.DOC_STANCE`. Stance poles come from the
    dictionary's ``stance`` key; incivility counts the ``incivility`` frame
    only (its sub-frames overlap it). ``texts``:
    :func:`analysis.matcher.document_texts` of ``comments`` and ``threads``,
    when the caller has it already.

    Languages: when ``comments`` carry a ``language`` column, each dictionary
    is matched only on documents of its own ``language``
    (:func:`analysis.framing.document_languages`, with the study's
    ``languages``): a document of another language has no cue of it (it
    abstains, and has no uncivil hit).
    """
    from analysis.framing import document_languages, in_language

    if negation_window < 0:
        raise ValueError(f"negation_window={negation_window!r}: expected a whole number >= 0")
    poles = stance_poles(stance_lexicon.path)
    texts = document_texts(comments, threads) if texts is None else texts
    doc_languages = document_languages(comments, threads, languages=languages)

    def match(lexicon: Lexicon) -> pd.DataFrame:
        found = match_frames(index, lexicon, texts=texts, negation_window=negation_window,
                             count_quoted=count_quoted, count_negated=True)
        if doc_languages is not None and len(found):
            found = found[in_language(found, doc_languages, lexicon.language)].reset_index(drop=True)
        return found

    matches = match(stance_lexicon)
    # the documents in first-seen order: the first row of each run of a document, then distinct keys
    docs = index.keys_at(index.run_first()).drop_duplicates().reset_index(drop=True)
    out = comment_stance(matches, docs, pro=poles["pro"], anti=poles["anti"], flip_negated=flip_negated)
    unciv = match(incivility_lexicon)
    unciv = unciv[unciv["counted"] & (unciv["frame"] == "incivility")].groupby(_KEYS).size().rename("n_uncivil")
    out = out.merge(unciv, left_on=_KEYS, right_index=True, how="left")
    out["n_uncivil"] = out["n_uncivil"].fillna(0).astype("int64")
    return out.sort_values(_KEYS, kind="stable").reset_index(drop=True)
