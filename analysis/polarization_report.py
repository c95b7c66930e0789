"""Every polarization measure of a corpus in one call: the work of rule ``polarization_report``.

Speakers and groups come from :mod:`analysis.groups`; the measures from
:mod:`analysis.polarization` (leave-out partisanship on all tokens and on
frame terms only, Esteban–Ray), :mod:`analysis.network` (cross-group
replies, assortativity, modularity, RWC) and :mod:`analysis.incivility`.
A measure that cannot be computed on a corpus (fewer than two groups, too
few speakers per group) is reported as not available with the reason, never
silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis.framing import is_word
from analysis.groups import speaker_groups, speakers
from analysis.incivility import incivility_by_reply_type
from analysis.network import assortativity, cross_group_replies, modularity, random_walk_controversy, reply_graph
from analysis.polarization import esteban_ray, partisanship, partisanship_by_group, term_contributions
from analysis.stance import agreement, author_stance, stance_summary

__all__ = ["PolarizationReport", "polarization_report", "speaker_term_counts"]


@dataclass
class PolarizationReport:
    summary: dict
    partisanship: pd.DataFrame
    terms: pd.DataFrame
    network: pd.DataFrame
    incivility: pd.DataFrame
    speakers: pd.DataFrame
    edges: pd.DataFrame = field(default_factory=pd.DataFrame)


def speaker_term_counts(keys: pd.DataFrame, speaker_of: pd.Series, terms: pd.Series, *, min_count: int = 1):
    """Sparse (speakers x terms) counts; speakers in sorted order; terms used at least ``min_count`` times."""
    sp_codes, sp_ids = pd.factorize(speaker_of, sort=True)
    frame = pd.DataFrame({"s": sp_codes, "t": terms.to_numpy()})
    frame = frame[frame["s"] >= 0]
    totals = frame["t"].value_counts()
    frame = frame[frame["t"].map(totals) >= min_count]
    t_codes, t_ids = pd.factorize(frame["t"], sort=True)
    m = sp.csr_array((np.ones(len(frame)), (frame["s"].to_numpy(), t_codes)), shape=(len(sp_ids), len(t_ids)))
    return m, list(sp_ids), list(t_ids)


def _measure(counts, ids, groups_of: pd.Series, terms, *, opts, label: str) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Leave-out partisanship between the groups; (table, term contributions, reason if not available)."""
    g = groups_of.reindex(ids).fillna("").to_numpy()
    known = g != ""
    labels = sorted(set(g[known]))
    speaks = np.asarray(counts.sum(axis=1)).ravel() > 0
    per_group = {x: int(((g == x) & speaks).sum()) for x in labels}
    if len(labels) < 2:
        return pd.DataFrame(), pd.DataFrame(), f"{label}: fewer than two groups among speakers ({labels or 'none'})"
    small = [x for x, n in per_group.items() if n < 2]
    if small:
        return pd.DataFrame(), pd.DataFrame(), f"{label}: group(s) {small} have fewer than 2 speakers with tokens"
    common = dict(n_perm=opts["n_perm"], n_boot=opts["n_boot"], seed=opts["seed"])
    m = counts[np.flatnonzero(known)]
    gk = g[known]
    if len(labels) == 2:
        res = partisanship(m, gk == labels[0], **common)
        table = pd.DataFrame([{"group_a": labels[0], "group_b": labels[1], **{k: v for k, v in res.items() if k != "contributions"}}])
    else:
        table = partisanship_by_group(m, gk, **common)
    contrib = []
    for a in labels if len(labels) > 2 else labels[:1]:
        c = term_contributions(m, gk == a, terms).head(opts["top_terms"] * 2)
        contrib.append(c.assign(group_a=a))
    table.insert(0, "tokens", label)
    return table, pd.concat(contrib, ignore_index=True).assign(tokens=label), ""


def polarization_report(
    comments: pd.DataFrame,
    docs: pd.DataFrame,
    stance: pd.DataFrame,
    tokens: pd.DataFrame,
    matches: pd.DataFrame,
    *,
    options: dict,
    salt: str,
    author_table: pd.DataFrame | None = None,
) -> PolarizationReport:
    """Speakers, groups, partisanship (all tokens, frame terms), Esteban–Ray, reply network, incivility."""
    opts = options
    comments = comments.reset_index(drop=True)
    speaker, unit, unit_why = speakers(comments, unit=opts["unit"], min_known_share=opts["min_known_share"])
    comments = comments.assign(speaker=speaker.to_numpy())
    keys = ["thread_id", "comment_id"]
    st = comments[keys + ["author_id", "speaker"]].merge(
        stance[stance["doc"] == "comment"].drop(columns="doc"), on=keys, how="left")

    # speaker stance: pooled cues of all of a speaker's comments
    st = st.fillna({"n_pro": 0, "n_anti": 0, "n_uncivil": 0, "label": "abstain"})
    scored = st[keys + ["n_pro", "n_anti", "score", "label"]].assign(doc="comment")
    pooled = author_stance(scored, st[keys].assign(author_id=st["speaker"]))
    stance_of = pooled.set_index("author_id")["label"] if len(pooled) else pd.Series(dtype=object)
    source = opts["groups"]
    if source == "auto":
        source = "column" if opts["group_column"] else "table" if author_table is not None else "stance"
    groups = speaker_groups(comments, comments["speaker"], source=source, column=opts["group_column"],
                            table=author_table, salt=salt, stance=comments["speaker"].map(stance_of))
    summary: dict = {"unit": unit, "unit_reason": unit_why, "group_source": source,
                     "group_column": opts["group_column"], "n_speakers": int(comments["speaker"].nunique()),
                     "n_speakers_with_group": int((groups != "").sum()),
                     "groups": {g: int((groups == g).sum()) for g in sorted(set(groups) - {""})},
                     "stance": stance_summary(scored),
                     "not_available": []}

    # agreement of stance labels with a group column, when mapped
    mapping = opts.get("stance_mapping") or {}
    if opts["group_column"] and mapping and opts["group_column"] in comments:
        ag = agreement(st["label"], comments[opts["group_column"]], mapping=mapping)
        summary["stance_agreement"] = {k: v for k, v in ag.items() if not isinstance(v, dict)}

    # partisanship on all word tokens and on frame terms
    tok = tokens[(tokens["doc"] == "comment") & ~tokens["is_stopword"].to_numpy(bool)]
    tok = tok[is_word(tok["norm"])]
    speaker_of = tok[keys].merge(comments[keys + ["speaker"]], on=keys, how="left")["speaker"]
    counts, ids, terms = speaker_term_counts(tok, speaker_of, tok["norm"], min_count=opts["min_term_count"])
    part, contrib, why = _measure(counts, ids, groups, terms, opts=opts, label="all tokens")
    if why:
        summary["not_available"].append(why)
    fm = matches[(matches["doc"] == "comment") & matches["counted"].astype(bool)]
    f_speaker = fm[keys].merge(comments[keys + ["speaker"]], on=keys, how="left")["speaker"]
    f_counts, f_ids, f_terms = speaker_term_counts(fm, f_speaker, fm["frame"] + ":" + fm["term"])
    f_part, f_contrib, why = _measure(f_counts, f_ids, groups, f_terms, opts=opts, label="frame terms")
    if why:
        summary["not_available"].append(why)
    partisan = pd.concat([part, f_part], ignore_index=True)
    if len(part):
        first = part.iloc[0]
        summary["partisanship_all"] = {k: (float(first[k]) if k not in ("group_a", "group_b") else str(first[k]))
                                       for k in ("group_a", "group_b", "estimate", "ci_low", "ci_high", "baseline_mean", "p_value")}
    contributions = pd.concat([contrib, f_contrib], ignore_index=True)

    # Esteban-Ray over speakers' stance scores
    scores = pooled.loc[pooled["score"].notna(), "score"] if len(pooled) else pd.Series(dtype=float)
    summary["esteban_ray"] = (float(esteban_ray(scores.to_numpy(), alpha=opts["er_alpha"], bins=opts["er_bins"]))
                              if len(scores) else float("nan"))
    summary["esteban_ray_n"] = int(len(scores))
    summary["esteban_ray_alpha"] = opts["er_alpha"]

    # reply pairs between comments
    parent = comments[keys + ["speaker"]].rename(columns={"comment_id": "parent_id", "speaker": "parent_speaker"})
    pairs = comments[comments["parent_id"] != ""][keys + ["parent_id", "speaker"]].merge(parent, on=["thread_id", "parent_id"])
    pairs["child_group"] = pairs["speaker"].map(groups).fillna("")
    pairs["parent_group"] = pairs["parent_speaker"].map(groups).fillna("")
    net_pairs = pairs.rename(columns={"speaker": "child_author", "parent_speaker": "parent_author"})
    common = dict(n_boot=opts["n_boot"], seed=opts["seed"], min_clusters=opts["min_clusters"])
    known_pairs = (net_pairs["child_group"] != "") & (net_pairs["parent_group"] != "")
    network = pd.DataFrame()
    if known_pairs.any() and len(summary["groups"]) >= 2:
        network = cross_group_replies(net_pairs, **common)
        graph = reply_graph(net_pairs)
        summary["assortativity"] = _safe(lambda: assortativity(graph))
        summary["modularity"] = _safe(lambda: modularity(graph))
        summary["rwc"] = _safe(lambda: random_walk_controversy(graph, k=opts["rwc_k"])) if len(summary["groups"]) == 2 else float("nan")
        summary["rwc_k"] = opts["rwc_k"]
    else:
        summary["not_available"].append("reply network: fewer than two groups, or no reply between two speakers with known groups")

    # incivility of cross- vs same-group replies
    tokens_of = docs[docs["doc"] == "comment"].set_index(keys)["n_tokens"]
    unciv = stance[stance["doc"] == "comment"].set_index(keys)["n_uncivil"]
    ci = pd.MultiIndex.from_frame(pairs[keys])
    inc_pairs = pd.DataFrame({
        "thread_id": pairs["thread_id"],
        "cross_group": np.where(known_pairs, pairs["child_group"] != pairs["parent_group"], None),
        "child_uncivil_hits": unciv.reindex(ci).fillna(0).astype(int).to_numpy(),
        "child_tokens": tokens_of.reindex(ci).fillna(0).astype(int).to_numpy(),
    })
    incivility = pd.DataFrame()
    if known_pairs.any():
        incivility = incivility_by_reply_type(inc_pairs, **common)
    else:
        summary["not_available"].append("incivility by reply type: no reply between speakers with known groups")
    summary["uncivil_comment_share"] = float((unciv > 0).mean()) if len(unciv) else float("nan")

    speaker_table = pd.DataFrame({"speaker": groups.index, "group": groups.to_numpy()})
    if len(pooled):
        speaker_table = speaker_table.merge(pooled.rename(columns={"author_id": "speaker"}), on="speaker", how="left")
    edges = net_pairs.groupby(["child_author", "parent_author", "child_group", "parent_group"]).size().rename("replies").reset_index()
    return PolarizationReport(summary, partisan, contributions, network, incivility, speaker_table, edges)


def _safe(fn) -> float:
    """A network measure, or NaN where the graph does not allow it (e.g. RWC with too few nodes)."""
    try:
        return float(fn())
    except (ValueError, ZeroDivisionError):
        return float("nan")
