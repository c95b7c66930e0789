"""Fast paths of frame rates, framing indices and reply dynamics against the straightforward computations.

The references below are the plain versions these replaced (a call per grouping and per frame, group labels
sorted with ``np.unique`` over every document, per-cell sums through ``scipy.sparse.coo_matrix``, a pandas
tuple index for the reply lookup); results must agree bit for bit.
"""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from analysis import frame_rates as fm
from analysis.frame_dynamics import USE_KINDS, frame_uptake, frame_uses, reply_pairs, transition_matrix
from analysis.stats import cluster_bootstrap_ratio, percentile_interval, replicate_sums

FRAMES = ["a", "b", "c"]


def make_docs(seed=0, n=400, n_threads=25, frames=FRAMES):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({
        "thread_id": [f"t{i:02d}" for i in rng.integers(0, n_threads, n)],
        "comment_id": [f"c{i}" for i in range(n)],
        "doc": np.where(rng.random(n) < 0.1, "article", "comment"),
        "depth": rng.choice([1, 2, 3, 10], n).astype("int32"),  # "10" sorts before "2" as a label
        "source": rng.choice(["s1", "s2"], n),
        "author_id": rng.choice(["", "u1", "u2", "u3", "u4"], n),
        "created_at": pd.to_datetime(rng.integers(1_600_000_000, 1_700_000_000, n), unit="s", utc=True),
        "n_tokens": rng.integers(1, 200, n),
    })
    for f in frames:
        d[f"hits_{f}"] = rng.poisson(0.8, n)
    return d


# ------------------------------------------------------------------ references (the straightforward versions)


def no_ci_below_two_clusters(ci):
    """No interval from fewer than two clusters: resampling one cluster returns it unchanged."""
    ci = ci.reset_index(drop=True).copy()
    ci.loc[ci["n_clusters"] < 2, ["ci_low", "ci_high", "se"]] = np.nan
    return ci


def ref_uptake(s):
    """a/b - c/d per row of [a, b, c, d]; NaN where a denominator is 0."""
    out = np.full(len(s), np.nan)
    for i, (a, b, c, d) in enumerate(s):
        if b > 0 and d > 0:
            out[i] = a / b - c / d
    return out


def ref_matrices(docs, values, by, codes):
    groups, gcode = np.unique(docs[by].fillna("(none)").astype(str).to_numpy(), return_inverse=True)
    n_c = int(codes.max()) + 1 if len(codes) else 0
    return groups, gcode, {k: sp.coo_matrix((v.astype(float), (codes, gcode)), shape=(n_c, len(groups))).tocsc()
                           for k, v in values.items()}


def ref_frame_rates(docs, *, frames, by, cluster="thread_id", min_clusters=10, n_boot=200, seed=0, level=0.95):
    unit, reason = fm.choose_cluster(docs, preferred=cluster, min_clusters=min_clusters)
    codes = fm.cluster_codes(docs, unit)
    values = {"tokens": docs["n_tokens"].to_numpy()} | {f: docs[f"hits_{f}"].to_numpy() for f in frames}
    groups, gcode, mats = ref_matrices(docs, values, by, codes)
    num = sp.hstack([mats[f] for f in frames]).tocsc()
    den = sp.hstack([mats["tokens"]] * len(frames)).tocsc()
    ci = cluster_bootstrap_ratio(num, den, n_boot=n_boot, seed=seed, level=level, scale=1000.0)
    out = pd.DataFrame({"by": by, "group": np.tile(groups, len(frames)), "frame": np.repeat(list(frames), len(groups)),
                        "hits": np.asarray(num.sum(axis=0)).ravel().astype(int),
                        "tokens": np.asarray(den.sum(axis=0)).ravel().astype(int),
                        "n_docs": np.tile(np.bincount(gcode, minlength=len(groups)), len(frames))})
    out = pd.concat([out, no_ci_below_two_clusters(ci)[["estimate", "ci_low", "ci_high", "se", "n_clusters"]]], axis=1)
    out = out.rename(columns={"estimate": "rate"})
    out["unit"] = reason
    out["n_boot"] = n_boot
    return out


def ref_framing_index(docs, *, pair, by, cluster="thread_id", min_clusters=10, n_boot=200, seed=0, level=0.95):
    a, b = (docs[f"hits_{f}"].to_numpy().astype(float) for f in pair)
    unit, reason = fm.choose_cluster(docs, preferred=cluster, min_clusters=min_clusters)
    codes = fm.cluster_codes(docs, unit)
    used = (a + b) > 0
    doc_index = np.where(used, (a - b) / np.where(used, a + b, 1), 0.0)
    values = {"diff": a - b, "total": a + b, "doc_index": doc_index, "used": used.astype(float)}
    groups, gcode, m = ref_matrices(docs, values, by, codes)
    pooled = no_ci_below_two_clusters(cluster_bootstrap_ratio(m["diff"], m["total"], n_boot=n_boot, seed=seed,
                                                              level=level))
    averaged = no_ci_below_two_clusters(cluster_bootstrap_ratio(m["doc_index"], m["used"], n_boot=n_boot, seed=seed,
                                                                level=level))
    out = pd.DataFrame({"by": by, "group": groups, "frame_a": pair[0], "frame_b": pair[1],
                        "hits_a": np.bincount(gcode, weights=a, minlength=len(groups)).astype(int),
                        "hits_b": np.bincount(gcode, weights=b, minlength=len(groups)).astype(int),
                        "n_docs_using": np.bincount(gcode, weights=used, minlength=len(groups)).astype(int),
                        "pooled": pooled["estimate"].to_numpy(), "pooled_low": pooled["ci_low"].to_numpy(),
                        "pooled_high": pooled["ci_high"].to_numpy(), "doc_mean": averaged["estimate"].to_numpy(),
                        "doc_mean_low": averaged["ci_low"].to_numpy(), "doc_mean_high": averaged["ci_high"].to_numpy()})
    out["unit"] = reason
    out["n_boot"] = n_boot
    return out


def ref_add_period(docs, period):
    fmt = {"month": "%Y-%m", "year": "%Y", "week": "%G-W%V", "day": "%Y-%m-%d"}[period]
    return pd.to_datetime(docs["created_at"], utc=True).dt.strftime(fmt).fillna("unknown")


def ref_reply_pairs(docs, comments, *, frames):
    uses = docs.set_index(["thread_id", "comment_id", "doc"])[[f"hits_{f}" for f in frames]].gt(0)
    child = comments[["thread_id", "comment_id", "parent_id"]].copy()
    child["parent_doc"] = np.where(child["parent_id"] == "", "article", "comment")
    child_uses = uses.reindex(pd.MultiIndex.from_arrays([child["thread_id"], child["comment_id"],
                                                         ["comment"] * len(child)]))
    parent_uses = uses.reindex(pd.MultiIndex.from_arrays([child["thread_id"], child["parent_id"], child["parent_doc"]]))
    ok = child_uses.notna().all(axis=1).to_numpy() & parent_uses.notna().all(axis=1).to_numpy()
    out = pd.DataFrame({"thread_id": child["thread_id"].to_numpy()[ok],
                        "kind": np.where(child["parent_doc"] == "article", "article", "reply")[ok]})
    for f in frames:
        out[f"child_{f}"] = child_uses[f"hits_{f}"].to_numpy()[ok].astype(bool)
        out[f"parent_{f}"] = parent_uses[f"hits_{f}"].to_numpy()[ok].astype(bool)
        out[f"measured_{f}"] = True  # no missing hits here (tests/test_frame_measures.py has them)
    return out


def ref_frame_uses(matches, docs, comments, *, frames):
    """The merge version: matches joined to their comment's parent, then to the parents' frame uses (melted)."""
    m = matches[matches["frame"].isin(list(frames))]
    kind = np.where(m["in_quote"].to_numpy(bool), "copied",
                    np.where(m["quoted"].to_numpy(bool) | m["negated"].to_numpy(bool), "contested", "adopted"))
    m = m[["thread_id", "comment_id", "doc", "frame"]].assign(kind=kind)
    parents = comments[["thread_id", "comment_id", "parent_id"]].assign(
        p_doc=np.where(comments["parent_id"] == "", "article", "comment"))
    m = m.merge(parents, on=["thread_id", "comment_id"], how="left")
    parent_uses = docs.melt(id_vars=["thread_id", "comment_id", "doc"],
                            value_vars=[f"hits_{f}" for f in frames if f"hits_{f}" in docs.columns],
                            var_name="frame", value_name="hits")
    parent_uses = parent_uses[parent_uses["hits"] > 0].assign(frame=lambda d: d["frame"].str.removeprefix("hits_"))
    parent_uses = parent_uses.rename(columns={"comment_id": "parent_id", "doc": "p_doc"})[
        ["thread_id", "parent_id", "p_doc", "frame"]].assign(parent_uses=True)
    is_comment = (m["doc"] == "comment").to_numpy()
    m = m.assign(parent_id=m["parent_id"].where(is_comment, None), p_doc=m["p_doc"].where(is_comment, None))
    m = m.merge(parent_uses, on=["thread_id", "parent_id", "p_doc", "frame"], how="left")
    m["parent_uses"] = m["parent_uses"].fillna(False).astype(bool) & is_comment
    parts = {"article": m[m["doc"] == "article"], "comments": m[m["doc"] == "comment"],
             "reply to a user": m[m["parent_uses"]]}
    rows = []
    for f in frames:
        for where, sub in parts.items():
            counts = sub.loc[sub["frame"] == f, "kind"].value_counts()
            n = {k: int(counts.get(k, 0)) for k in USE_KINDS}
            total = sum(n.values())
            rows.append({"frame": f, "where": where, **{f"n_{k}": v for k, v in n.items()}, "n_uses": total,
                         **{f"share_{k}": v / total if total else np.nan for k, v in n.items()}})
    return pd.DataFrame(rows)


def ref_frame_uptake(pairs, *, frames, kind="reply", min_clusters=10, n_boot=200, seed=0, level=0.95):
    sub = pairs[pairs["kind"] == kind].reset_index(drop=True)
    unit, reason = fm.choose_cluster(sub.assign(doc_key=np.arange(len(sub))), preferred="thread_id",
                                     min_clusters=min_clusters)
    codes = fm.cluster_codes(sub.assign(doc_key=np.arange(len(sub))), unit) if len(sub) else np.zeros(0, dtype=int)
    rows = []
    for f in frames:
        c, p = sub[f"child_{f}"].to_numpy(dtype=float), sub[f"parent_{f}"].to_numpy(dtype=float)
        sums = np.zeros((int(codes.max()) + 1 if len(codes) else 0, 4))
        np.add.at(sums, codes, np.column_stack([c * p, p, c, np.ones_like(c)]))
        a, b, cc, d = sums.sum(axis=0) if len(sums) else (0.0, 0.0, 0.0, 0.0)
        est = ref_uptake(np.array([[a, b, cc, d]]))[0]
        low, high = (percentile_interval(ref_uptake(replicate_sums(sums, n_boot=n_boot, seed=seed)), level)
                     if len(sums) else (np.nan, np.nan))
        rows.append({"kind": kind, "frame": f, "n_pairs": int(d), "n_parent_uses": int(b), "n_reply_uses": int(cc),
                     "n_both": int(a), "p_reply_given_parent": a / b if b else np.nan,
                     "p_reply": cc / d if d else np.nan,
                     "uptake": est, "ci_low": low, "ci_high": high, "unit": reason, "n_boot": n_boot})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ frame rates and indices


@pytest.mark.parametrize("by", ["depth", "source", "author_id", "maybe", "all"])
def test_group_labels_are_np_unique_of_the_labels(by):
    """Groups sorted as text ("10" before "2"), missing labels as "(none)", one group."""
    d = make_docs().assign(all="all")
    d["maybe"] = pd.Series(np.where(np.arange(len(d)) % 3 == 0, None, "x"), dtype=object)
    common = dict(cluster="thread_id", min_clusters=10, n_boot=50, seed=3)
    pd.testing.assert_frame_equal(fm.frame_rates(d, frames=FRAMES, by=by, **common),
                                  ref_frame_rates(d, frames=FRAMES, by=by, **common), check_exact=True)


@pytest.mark.parametrize("period", ["month", "year", "week", "day"])
def test_add_period_formats_days_like_every_timestamp(period):
    d = make_docs(n=300)
    d.loc[[3, 7], "created_at"] = pd.NaT
    d.loc[10, "created_at"] = pd.Timestamp("2020-12-31 23:59:59", tz="UTC")  # ISO week 2020-W53
    d.loc[11, "created_at"] = pd.Timestamp("2021-01-01 00:00:00", tz="UTC")
    out = fm.add_period(d, period=period)["period"]
    pd.testing.assert_series_equal(out, ref_add_period(d, period), check_names=False)
    naive = d.assign(created_at=d["created_at"].dt.tz_localize(None))  # read back without a zone: taken as UTC
    pd.testing.assert_series_equal(fm.add_period(naive, period=period)["period"], out)


def options(**kw):
    """The keyword arguments of rates_and_indices, as the config's framing section gives them."""
    return {"period": "month", "group_by": ["doc", "depth", "source", "period"],
            "index_pairs": [["a", "b"], ["c", "a"]],
            "min_clusters": 10, "n_boot": 150, "seed": 7} | kw


@pytest.mark.parametrize("frames,opts", [
    (FRAMES, options()),
    (["a"], options(index_pairs=[["a", "a"]])),  # one frame: one-column bootstraps ('all'), kept apart for se
    (FRAMES, options(cluster="author_id", min_clusters=5)),
    (FRAMES, options(min_clusters=1000)),  # too few threads: documents resampled
])
def test_rates_and_indices_match_one_call_per_grouping(frames, opts):
    docs = make_docs(frames=frames)
    rates, index = fm.rates_and_indices(docs, frames=frames, **opts)
    d = fm.add_period(docs, period=opts["period"]).assign(all="all")
    d["doc_key"] = np.arange(len(d))
    d["depth_band"] = fm.depth_bands(d["depth"])  # added with depth in group_by
    common = dict(cluster=opts.get("cluster", "thread_id"), min_clusters=opts["min_clusters"], n_boot=opts["n_boot"],
                  seed=opts["seed"])
    groupings = ["all", "doc", "depth", "source", "period", "depth_band"]
    ref_rates = pd.concat([ref_frame_rates(d, frames=frames, by=by, **common) for by in groupings], ignore_index=True)
    ref_index = pd.concat([ref_framing_index(d, pair=tuple(p), by=by, **common)
                           for p in opts["index_pairs"] for by in groupings],
                          ignore_index=True)
    pd.testing.assert_frame_equal(rates, ref_rates, check_exact=True)
    pd.testing.assert_frame_equal(index, ref_index, check_exact=True)
    # the public one-grouping functions too
    pd.testing.assert_frame_equal(fm.frame_rates(d, frames=frames, by="depth", **common),
                                  ref_frame_rates(d, frames=frames, by="depth", **common), check_exact=True)
    pd.testing.assert_frame_equal(fm.framing_index(d, pair=("a", frames[-1]), by="all", **common),
                                  ref_framing_index(d, pair=("a", frames[-1]), by="all", **common), check_exact=True)


def test_fractional_values_sum_in_scipy_order():
    """Document-averaged indices sum fractions per cell: the same float sums as scipy's coo -> csc conversion."""
    docs = make_docs(seed=5).assign(all="all")
    docs["doc_key"] = np.arange(len(docs))
    common = dict(cluster="thread_id", min_clusters=10, n_boot=120, seed=2)
    for by in ("depth", "all"):
        pd.testing.assert_frame_equal(fm.framing_index(docs, pair=("b", "c"), by=by, **common),
                                      ref_framing_index(docs, pair=("b", "c"), by=by, **common), check_exact=True)


def test_article_vs_comments_threads_with_an_article_only():
    docs = make_docs(n=200, n_threads=8)
    docs.loc[docs["thread_id"] == "t03", "doc"] = "comment"  # a thread without article
    out = fm.article_vs_comments(docs, frames=FRAMES, n_perm=200, seed=1)
    has = docs.groupby("thread_id")["doc"].transform(lambda x: (x == "article").any())  # the per-thread reference
    assert out["n_threads"].tolist() == [docs.loc[has, "thread_id"].nunique()] * len(FRAMES)
    sub = docs[has]
    for f, row in zip(FRAMES, out.itertuples()):
        art = sub["doc"] == "article"
        assert row.rate_article == pytest.approx(1000 * sub.loc[art, f"hits_{f}"].sum()
                                                 / sub.loc[art, "n_tokens"].sum())
    none = fm.article_vs_comments(docs.assign(doc="comment"), frames=FRAMES, n_perm=10, seed=1)
    assert none["n_perm"].tolist() == [0, 0, 0] and none["rate_article"].isna().all()


# ------------------------------------------------------------------ reply dynamics


def make_thread_tables(seed=0, n=300):
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(12):
        ids = [f"c{j}" for j in range(int(rng.integers(0, 40)))]  # the same ids in every thread; t with 0: no comments
        for j, cid in enumerate(ids):
            parent = "" if j == 0 or rng.random() < 0.3 else ids[int(rng.integers(0, j))]
            rows.append({"thread_id": f"t{t}", "comment_id": cid, "parent_id": parent})
        if t % 3 == 0:
            rows.append({"thread_id": f"t{t}", "comment_id": "gone", "parent_id": "missing"})  # parent never stored
    comments = pd.DataFrame(rows)
    docs = comments[["thread_id", "comment_id"]].assign(doc="comment")
    docs = pd.concat([docs, pd.DataFrame({"thread_id": [f"t{t}" for t in range(0, 12, 2)], "comment_id": "",
                                          "doc": "article"})],
                     ignore_index=True)  # even threads have an article
    docs = docs.sample(frac=0.9, random_state=seed).reset_index(drop=True)  # some documents have no tokens: no row
    for f in FRAMES:
        docs[f"hits_{f}"] = rng.poisson(0.5, len(docs))
    return docs, comments


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reply_pairs_match_the_tuple_index_lookup(seed):
    docs, comments = make_thread_tables(seed)
    pairs = reply_pairs(docs, comments, frames=FRAMES)
    pd.testing.assert_frame_equal(pairs, ref_reply_pairs(docs, comments, frames=FRAMES), check_exact=True)
    assert {"reply", "article"} <= set(pairs["kind"])
    with pytest.raises(ValueError, match="twice"):
        reply_pairs(pd.concat([docs, docs.iloc[:1]]), comments, frames=FRAMES)


def test_reply_pairs_without_frames_still_leave_out_pairs_without_documents():
    # the tuple-index version kept every pair when there were no frames (an all() over no columns is True)
    docs, comments = make_thread_tables(0)
    no_frames = reply_pairs(docs, comments, frames=[])
    assert (len(no_frames) == len(reply_pairs(docs, comments, frames=FRAMES))
            < len(ref_reply_pairs(docs, comments, frames=[])))


@pytest.mark.parametrize("kind", ["reply", "article"])
def test_uptake_and_transitions_match_per_frame_computation(kind):
    docs, comments = make_thread_tables(3)
    pairs = reply_pairs(docs, comments, frames=FRAMES)
    for min_clusters in (5, 100):  # threads, and pairs when there are too few threads
        got = frame_uptake(pairs, frames=FRAMES, kind=kind, min_clusters=min_clusters, n_boot=150, seed=4)
        pd.testing.assert_frame_equal(got, ref_frame_uptake(pairs, frames=FRAMES, kind=kind, min_clusters=min_clusters,
                                                            n_boot=150, seed=4), check_exact=True)
    empty = frame_uptake(pairs.iloc[:0], frames=FRAMES, kind=kind, n_boot=10)
    assert empty["n_pairs"].tolist() == [0, 0, 0] and empty["ci_low"].isna().all()
    t = transition_matrix(pairs, frames=FRAMES, kind=kind)
    sub = pairs[pairs["kind"] == kind]
    parent = np.column_stack([sub[f"parent_{f}"] for f in FRAMES])
    child = np.column_stack([sub[f"child_{f}"] for f in FRAMES])
    parent, child = np.column_stack([parent, ~parent.any(1)]), np.column_stack([child, ~child.any(1)])
    assert t["n_both"].tolist() == (parent.T.astype(int) @ child.astype(int)).ravel().tolist()


def test_transition_counts_equal_the_integer_product():
    rng = np.random.default_rng(9)
    for n in (0, 1, 1000):
        pairs = pd.DataFrame({"kind": ["reply"] * n} | {f"parent_{f}": rng.random(n) < 0.3 for f in FRAMES}
                             | {f"child_{f}": rng.random(n) < 0.5 for f in FRAMES})
        parent = np.column_stack([pairs[f"parent_{f}"].to_numpy(bool) for f in FRAMES]).reshape(n, len(FRAMES))
        child = np.column_stack([pairs[f"child_{f}"].to_numpy(bool) for f in FRAMES]).reshape(n, len(FRAMES))
        parent, child = np.column_stack([parent, ~parent.any(1)]), np.column_stack([child, ~child.any(1)])
        t = transition_matrix(pairs, frames=FRAMES)
        assert t["n_both"].tolist() == (parent.T.astype(int) @ child.astype(int)).ravel().tolist()


def test_columns_needed_reads_what_the_measures_use_and_everything_when_a_column_is_missing():
    available = ["thread_id", "comment_id", "doc", "source", "depth", "author_id", "created_at", "n_tokens",
                 "n_matches",
                 "hits_a", "hits_b"]
    assert fm.columns_needed(available, group_by=options()["group_by"]) == ["thread_id", "doc", "source", "depth",
                                                                            "created_at", "n_tokens",
                                                       "hits_a", "hits_b"]
    assert "author_id" in fm.columns_needed(available, group_by=options()["group_by"], cluster="author_id")
    assert fm.columns_needed(available, group_by=["nope"]) is None  # the error then lists every column
    docs = make_docs()
    cols = fm.columns_needed(list(docs.columns), group_by=options()["group_by"])
    full, _ = fm.rates_and_indices(docs, frames=FRAMES, **options())
    pd.testing.assert_frame_equal(fm.rates_and_indices(docs[cols], frames=FRAMES, **options())[0], full,
                                  check_exact=True)


def make_matches(docs, seed=0, n=600):
    """Matches of random documents (and of some keys without a document row), of frames a, b, c and one not
    asked for."""
    rng = np.random.default_rng(seed)
    keys = docs[["thread_id", "comment_id", "doc"]]
    keys = pd.concat([keys, pd.DataFrame({"thread_id": ["t0", "t3"], "comment_id": ["nowhere", "gone"],
                                          "doc": ["comment", "comment"]})], ignore_index=True)
    at = rng.integers(0, len(keys), n)
    return keys.iloc[at].reset_index(drop=True).assign(
        frame=rng.choice([*FRAMES, "other"], n), quoted=rng.random(n) < 0.2, negated=rng.random(n) < 0.2,
        in_quote=rng.random(n) < 0.3)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_frame_uses_match_the_merge_version(seed):
    docs, comments = make_thread_tables(seed)
    matches = make_matches(docs, seed)
    got = frame_uses(matches, docs, comments, frames=FRAMES)
    pd.testing.assert_frame_equal(got, ref_frame_uses(matches, docs, comments, frames=FRAMES), check_exact=True)
    assert got["n_uses"].sum() > 0 and got.loc[got["where"] == "reply to a user", "n_uses"].sum() > 0
    # whether a document uses a frame is all that is read: hits as booleans give the same table
    hits = [f"hits_{f}" for f in FRAMES]
    pd.testing.assert_frame_equal(frame_uses(matches, docs.assign(**{h: docs[h] > 0 for h in hits}), comments,
                                             frames=FRAMES), got)
    # a frame without a hits column: never a use by the parent
    no_c = frame_uses(matches, docs.drop(columns="hits_c"), comments, frames=FRAMES)
    pd.testing.assert_frame_equal(no_c, ref_frame_uses(matches, docs.drop(columns="hits_c"), comments,
                                                       frames=FRAMES), check_exact=True)
    assert set(USE_KINDS) == {"adopted", "copied", "contested"}
    # a comment key given twice: refused (the merge version counted its matches twice)
    with pytest.raises(ValueError, match="twice"):
        frame_uses(matches, docs, pd.concat([comments, comments.iloc[:1]]), frames=FRAMES)
