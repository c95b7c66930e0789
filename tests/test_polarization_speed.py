"""Fast paths of the polarization measures against the straightforward computations they replace.

* The estimator's passes in :mod:`analysis.polarization` (cache-sized blocks
  of non-zeros, bootstrap and permutation replicates batched into one sparse
  product) against the plain one-pass definition below, run once per
  replicate: bit for bit, through :func:`leave_out_partisanship`,
  :func:`term_contributions` and :func:`partisanship`.
* The per-comment matching of :func:`polarization_report` (stance and docs
  tables matched row by row) against a left merge on the keys.
* :func:`modularity` and the other network measures against the
  edge-by-edge undirected graph and the subgraph views they replace.
"""

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from analysis.network import assortativity, modularity, random_walk_probabilities
from analysis.polarization import leave_out_partisanship, partisanship, term_contributions
from analysis.polarization_report import aligned_rows
from analysis.stats import bootstrap_weights, percentile_interval

# ---------------------------------------------------------------- the estimator: the plain one-pass definition


def oracle_speech(counts):
    """CSR float counts of the authors with tokens, their lengths m_i, and which rows were kept."""
    m = sp.csr_array(counts, dtype=np.float64)
    length = np.asarray(m.sum(axis=1)).ravel()
    kept = length > 0
    return m[np.flatnonzero(kept)], length[kept], kept


def oracle_scores(m, length, in_r, weight=None):
    """Per author i: Σ_j c_ij · (own-group leave-out share of j), one pass over all non-zeros, no blocks.

    Returns (per-author sums, group code 0 = R / 1 = D, group sizes Σ w,
    per-non-zero scores c_ij · share_ij). The share is a / (a + b) with a the
    leave-out frequency of j in i's own group (all w_i copies of i left out)
    and b its frequency in the other group, as ``own / (own + (M_g - w_i m_i) · b)``;
    0/0 (nobody else uses j) = ½.
    """
    n, t = m.shape
    integral = np.array_equal(m.data, np.floor(m.data))
    code = (~in_r).astype(np.intp)
    w = np.ones(n) if weight is None else weight
    size = np.bincount(code, weights=w, minlength=2)
    author_total = length if weight is None else weight * length
    total = np.bincount(code, weights=author_total, minlength=2)
    sides = np.zeros((n, 2))
    sides[np.arange(n), code] = w
    group_term = np.asarray(m.T @ sides).T.ravel()  # C_R in the first t cells, C_D in the last t
    other_rate = np.concatenate([group_term[t:] / total[1], group_term[:t] / total[0]])
    leave_total = total[code] - author_total
    per_row = np.diff(m.indptr)
    vals = m.data
    wc = vals if weight is None else np.repeat(weight, per_row) * vals
    index = np.repeat(code * t, per_row) + m.indices
    in_group = group_term[index]
    own = in_group - wc
    if not integral:
        own[own <= 1e-12 * in_group] = 0.0
    den = other_rate[index] * np.repeat(leave_total, per_row) + own
    nobody = den == 0
    own[nobody] = 1.0
    den[nobody] = 2.0
    scores = own / den * vals
    return np.add.reduceat(scores, m.indptr[:-1]), code, size, scores


def oracle_estimate(m, length, in_r, weight=None):
    """π̂_LO: the weighted mean per group of the authors' sums / m_i, averaged over the two groups."""
    sums, code, size, _ = oracle_scores(m, length, in_r, weight)
    per_author = sums / length
    if weight is not None:
        per_author *= weight
    per_group = np.bincount(code, weights=per_author, minlength=2)
    return float(0.5 * per_group[0] / size[0] + 0.5 * per_group[1] / size[1])


def oracle_inference(m, length, in_r, *, n_boot, n_perm, seed, level=0.95):
    """Bootstrap and permutation replicates as :func:`partisanship` documents them, one estimate each."""
    idx_r, idx_d = np.flatnonzero(in_r), np.flatnonzero(~in_r)
    seed_r, seed_d = (int(x) for x in np.random.SeedSequence(seed).generate_state(2))
    w_r = bootstrap_weights(len(idx_r), n_boot=n_boot, seed=seed_r)
    w_d = bootstrap_weights(len(idx_d), n_boot=n_boot, seed=seed_d)
    boot = np.full(n_boot, np.nan)
    for b in range(n_boot):
        if np.count_nonzero(w_r[b]) < 2 or np.count_nonzero(w_d[b]) < 2:
            continue  # one distinct author in a group: no leave-out frequencies
        weight = np.zeros(len(in_r))
        weight[idx_r] = w_r[b]
        weight[idx_d] = w_d[b]
        boot[b] = oracle_estimate(m, length, in_r, weight)
    rng = np.random.default_rng(seed)
    perm = np.array([oracle_estimate(m, length, rng.permutation(in_r)) for _ in range(n_perm)])
    ci = percentile_interval(boot, level) if np.isfinite(boot).any() else (np.nan, np.nan)
    estimate = oracle_estimate(m, length, in_r)
    threshold = estimate - 1e-12 * max(1.0, abs(estimate))
    return {"estimate": estimate, "ci_low": ci[0], "ci_high": ci[1], "n_boot_valid": int(np.isfinite(boot).sum()),
            "baseline_mean": float(perm.mean()), "baseline_low": percentile_interval(perm, level)[0],
            "baseline_high": percentile_interval(perm, level)[1],
            "p_value": (1.0 + float((perm >= threshold).sum())) / (n_perm + 1.0)}


def corpus(rng, n_authors, n_terms, *, floats=False, long_row=None):
    """Sparse counts (about 30 terms per author) with an empty row, terms used by a single author (the 0/0 = ½
    case) and optionally one row using every term (longer than a block of non-zeros)."""
    rows = np.repeat(np.arange(n_authors), 30)
    cols = rng.integers(0, n_terms - 3, size=len(rows))
    vals = rng.integers(1, 4, size=len(rows))
    if long_row is not None:
        rows = np.append(rows, np.full(n_terms - 3, long_row))
        cols = np.append(cols, np.arange(n_terms - 3))
        vals = np.append(vals, rng.integers(1, 4, size=n_terms - 3))
    counts = sp.coo_array((vals.astype(float), (rows, cols)), shape=(n_authors, n_terms)).tocsr()  # duplicates summed
    counts = counts.tolil()
    counts[3, :] = 0  # no tokens: dropped
    counts[1, n_terms - 3 :] = [2, 1, 5]  # the last three terms: author 1 alone
    counts[2, n_terms - 2] = 1  # and term -2 once more by author 2
    counts = sp.csr_array(counts)
    counts.eliminate_zeros()
    if floats:
        counts.data *= rng.random(counts.nnz) + 0.25
    groups = np.arange(n_authors) % 3 == 0
    return counts, groups


@pytest.mark.parametrize("floats", [False, True])
def test_blocked_estimate_and_contributions_equal_the_one_pass_definition(floats):
    # ~40,000 terms in one row (longer than a block of 2^15 non-zeros) and ~100,000 non-zeros: several blocks
    rng = np.random.default_rng(5)
    counts, groups = corpus(rng, 2000, 40_000, floats=floats, long_row=7)
    m, length, kept = oracle_speech(counts)
    in_r = groups[kept]
    assert m.nnz > 3 * (1 << 15) and np.diff(m.indptr).max() > 1 << 15
    assert leave_out_partisanship(counts, groups) == oracle_estimate(m, length, in_r)  # bit for bit
    _, code, size, scores = oracle_scores(m, length, in_r)
    # the decomposition, term by term: ½ mean_g q_ij share_ij - ¼ q̄^g_j, summed over the two groups
    t = m.shape[1]
    q = m.data / np.repeat(length * size[code], np.diff(m.indptr))  # q_ij / |g|
    index = np.repeat(code * t, np.diff(m.indptr)) + m.indices
    parts = np.bincount(index, weights=0.5 * scores / np.repeat(length * size[code], np.diff(m.indptr)),
                        minlength=2 * t)
    parts -= 0.25 * np.bincount(index, weights=q, minlength=2 * t)
    terms = [f"t{j}" for j in range(t)]
    got = term_contributions(counts, groups, terms).set_index("term").loc[terms]
    np.testing.assert_allclose(got["part_R"], parts[:t], rtol=0, atol=1e-15)
    np.testing.assert_allclose(got["part_D"], parts[t:], rtol=0, atol=1e-15)
    assert got.loc[["t39997", "t39999"], "contribution"].tolist() == [0.0, 0.0]  # author 1 alone: exactly chance


@pytest.mark.parametrize("floats", [False, True])
def test_batched_replicates_equal_one_estimate_per_replicate(floats):
    # 70 replicates of each kind: more than one batch of 32, and a last, partial batch
    rng = np.random.default_rng(6)
    counts, groups = corpus(rng, 60, 40, floats=floats)
    m, length, kept = oracle_speech(counts)
    got = partisanship(counts, groups, n_boot=70, n_perm=70, seed=11)
    expected = oracle_inference(m, length, groups[kept], n_boot=70, n_perm=70, seed=11)
    assert {k: got[k] for k in expected} == expected  # bit for bit, not approximately


def test_bootstrap_skips_degenerate_replicates():
    # two authors per group: many replicates draw one distinct author and are skipped, the others computed
    counts, groups = np.array([[1, 2, 0], [0, 1, 3], [2, 0, 1], [1, 1, 1]]), np.array([True, True, False, False])
    got = partisanship(counts, groups, n_boot=40, n_perm=10, seed=2)
    m, length, _ = oracle_speech(counts)
    expected = oracle_inference(m, length, groups, n_boot=40, n_perm=10, seed=2)
    assert 0 < expected["n_boot_valid"] < 40
    assert {k: got[k] for k in expected} == expected


# ---------------------------------------------------------------- per-comment tables matched to the comments


def merge_reference(comments: pd.DataFrame, table: pd.DataFrame):
    """(table rows, comment rows) of a left merge of the comments with the table, in table order."""
    left = comments[["thread_id", "comment_id"]].assign(c_row=np.arange(len(comments)))
    right = table[["thread_id", "comment_id"]].assign(t_row=np.arange(len(table)))
    m = right.merge(left, on=["thread_id", "comment_id"], how="inner").sort_values("t_row")
    return m["t_row"].to_numpy(), m["c_row"].to_numpy()


def test_aligned_same_order_and_lookup_agree_with_a_merge():
    comments = pd.DataFrame({"thread_id": ["t1", "t1", "t2", "t2", "t3"], "comment_id": ["a", "b", "a", "c", "d"]},
                            dtype="str")
    where = pd.MultiIndex.from_arrays([comments["thread_id"], comments["comment_id"]])
    same = comments.copy()
    shuffled = comments.iloc[[3, 0, 4, 1, 2]]
    partial = pd.concat([comments.iloc[[4, 1]], pd.DataFrame({"thread_id": ["t9"], "comment_id": ["a"]}, dtype="str")])
    swapped = comments.assign(comment_id=["b", "a", "a", "c", "d"])  # same length, keys in another order
    for table in (same, shuffled, partial, swapped, comments.iloc[:0]):
        got = aligned_rows(where, comments, table, "t")
        expected = merge_reference(comments, table)
        assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])
    with pytest.raises(ValueError, match="more than one row"):
        aligned_rows(where, comments, comments.iloc[[0, 1, 1]], "t")


# ---------------------------------------------------------------- network: undirected graph, subgraphs


def undirected_reference(graph, weight):
    """The edge-by-edge construction: add each edge, or add its weight to the reciprocal edge already there."""
    out = nx.Graph()
    out.add_nodes_from(graph.nodes(data=True))
    edges = graph.edges(data=weight, default=1) if weight is not None else ((u, v, 1) for u, v in graph.edges())
    for u, v, w in edges:
        if u == v:
            continue
        if out.has_edge(u, v):
            if weight is not None:
                out[u][v]["weight"] += w
        else:
            out.add_edge(u, v, weight=w)
    return out


def random_digraph(seed, n=40, m=150):
    rng = np.random.default_rng(seed)
    g = nx.DiGraph()
    g.add_nodes_from((f"n{i}", {"group": "LR"[i % 2] if i % 7 else ""}) for i in rng.permutation(n))
    for _ in range(m):
        u, v = rng.integers(n, size=2)
        g.add_edge(f"n{u}", f"n{v}", weight=int(rng.integers(1, 5)))  # self-loops and reciprocal pairs included
    return g


def same_graph(a, b):
    return (list(a.nodes(data=True)) == list(b.nodes(data=True))
            and list(a.edges(data=True)) == list(b.edges(data=True))
            and all(list(a.adj[v]) == list(b.adj[v]) for v in a))


def known_subgraph_reference(graph):
    return graph.subgraph([v for v, grp in graph.nodes(data="group") if grp])


def modularity_reference(graph, weight):
    """Modularity by networkx on the edge-by-edge undirected graph of the known nodes."""
    und = undirected_reference(known_subgraph_reference(graph), weight)
    members: dict = {}
    for v, grp in und.nodes(data="group"):
        members.setdefault(grp, set()).add(v)
    return nx.community.modularity(und, list(members.values()), weight="weight")


@pytest.mark.parametrize("seed", [0, 1])
def test_modularity_equals_that_of_the_edge_by_edge_construction(seed):
    g = random_digraph(seed)
    assert any(g.has_edge(v, u) for u, v in g.edges() if u != v)  # reciprocal edges to merge
    assert known_subgraph_reference(g).number_of_nodes() < g.number_of_nodes()
    for graph in (g, g.to_undirected(), nx.MultiDiGraph(g)):
        for weight in ("weight", None):
            assert modularity(graph, weight=weight) == modularity_reference(graph, weight)


def test_measures_on_the_graph_equal_those_on_its_full_subgraph_view():
    g = random_digraph(3)
    for v in g:
        g.nodes[v]["group"] = g.nodes[v]["group"] or "L"  # every node known: the measures use the graph itself
    view = g.subgraph(list(g))

    def measures(graph):
        return (assortativity(graph), assortativity(graph, weighted=True), modularity(graph),
                random_walk_probabilities(graph, k=2))

    assert measures(g) == measures(view)
    assert modularity(g) == modularity_reference(g, "weight")
