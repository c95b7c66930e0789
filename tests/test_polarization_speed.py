"""Fast paths of the polarization report against the straightforward computations they replace.

* :class:`analysis.polarization._Replicates` (batched bootstrap and
  permutation passes) against :func:`analysis.polarization._estimate` run
  once per replicate, bit for bit.
* ``_aligned`` of :mod:`analysis.polarization_report` (the row-by-row match
  of per-comment tables) against a left merge on the keys.
* ``_undirected`` and ``_subgraph`` of :mod:`analysis.network` against the
  edge-by-edge construction and the subgraph views they replace.
"""

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import analysis.network as network
import analysis.polarization as polarization
from analysis.polarization_report import _aligned
from analysis.stats import bootstrap_weights


def speech(rng, n_authors, n_terms, *, floats=False):
    """A prepared speech with empty rows, one long row and terms used by a single author (the 0/0 = ½ case)."""
    counts = rng.integers(0, 4, size=(n_authors, n_terms)) * (rng.random((n_authors, n_terms)) < 0.3)
    counts[3] = 0  # no tokens: dropped
    counts[7] = rng.integers(1, 4, size=n_terms)  # a row longer than a block
    counts[:, -3:] = 0
    counts[1, -3:] = [2, 1, 5]  # the last three terms: author 1 alone
    counts[2, -2] = 1  # and term -2 once more by author 2
    counts = counts.astype(float)
    if floats:
        counts *= rng.random(counts.shape) + 0.25
    groups = np.arange(n_authors) % 3 == 0
    s, in_r, _ = polarization._prepare(sp.csr_array(counts), groups)
    return s, in_r


def replicates(rng, s, in_r, n):
    """Labellings and bootstrap weights as the inference draws them: permutations, then multiplicities."""
    out = [(rng.permutation(in_r), None) for _ in range(n)]
    idx_r, idx_d = np.flatnonzero(in_r), np.flatnonzero(~in_r)
    w_r = bootstrap_weights(len(idx_r), n_boot=n, seed=int(rng.integers(1000)))
    w_d = bootstrap_weights(len(idx_d), n_boot=n, seed=int(rng.integers(1000)))
    for b in range(n):
        weight = np.zeros(len(in_r))
        weight[idx_r] = w_r[b]
        weight[idx_d] = w_d[b]
        out.append((in_r, weight))
    return out


@pytest.mark.parametrize("floats", [False, True])
@pytest.mark.parametrize("block, batch", [(1 << 15, 32), (7, 3), (40, 1)])
def test_batched_replicates_equal_one_estimate_per_replicate(monkeypatch, floats, block, batch):
    rng = np.random.default_rng(5)
    monkeypatch.setattr(polarization, "_BLOCK", block)
    monkeypatch.setattr(polarization, "_BATCH", batch)
    s, in_r = speech(rng, 40, 30, floats=floats)
    assert s.integral is not floats
    reps = replicates(rng, s, in_r, 8)
    expected = np.array([polarization._estimate(s, labels, weight) for labels, weight in reps])
    passes = polarization._Replicates(s)
    assert passes.batch == batch
    got = passes.estimates(iter(reps))
    assert got.dtype == np.float64 and len(got) == len(reps)
    assert np.array_equal(got, expected)  # bit for bit, not approximately
    assert np.array_equal(passes.estimates([]), np.array([]))


def test_the_zero_over_zero_case_is_reached_and_patched(monkeypatch):
    # terms that only their author uses make 0/0 (NaN) in the fast pass; without the patch the estimate is NaN
    rng = np.random.default_rng(6)
    s, in_r = speech(rng, 30, 20)
    passes = polarization._Replicates(s)
    sums = passes._sums(*_sums_args(s, in_r))
    reference, _, _ = polarization._author_scores(s, in_r)
    assert np.array_equal(sums, reference)
    with monkeypatch.context() as m:
        m.setattr(np, "isnan", lambda x: np.zeros(np.shape(x), dtype=bool))  # never patch
        unpatched = passes._sums(*_sums_args(s, in_r))
    assert np.isnan(unpatched).sum() == 1  # author 1 alone uses terms -1 and -3


def _sums_args(s, in_r):
    code = (~in_r).astype(np.intp)
    total = np.bincount(code, weights=s.length, minlength=2)
    sides = np.zeros((len(in_r), 2))
    sides[np.arange(len(in_r)), code] = 1.0
    counts = sp.csr_array((s.vals, s.cols, s.indptr), shape=(len(in_r), s.n_terms))
    group_term = np.asarray(counts.T @ sides).T.ravel()
    return code, None, s.length, total, group_term


def test_inference_equals_the_replicate_by_replicate_loop():
    # _bootstrap and _permutations as they were written before the batched passes: one _estimate per replicate
    rng = np.random.default_rng(7)
    s, in_r = speech(rng, 25, 15)
    seed, n = 11, 9
    idx_r, idx_d = np.flatnonzero(in_r), np.flatnonzero(~in_r)
    seed_r, seed_d = polarization._bootstrap_seeds(seed)
    w_r = bootstrap_weights(len(idx_r), n_boot=n, seed=seed_r)
    w_d = bootstrap_weights(len(idx_d), n_boot=n, seed=seed_d)
    boot = np.full(n, np.nan)
    weight = np.zeros(len(in_r))
    for b in range(n):
        if np.count_nonzero(w_r[b]) < 2 or np.count_nonzero(w_d[b]) < 2:
            continue
        weight[idx_r] = w_r[b]
        weight[idx_d] = w_d[b]
        boot[b] = polarization._estimate(s, in_r, weight)
    perm_rng = np.random.default_rng(seed)
    perm = np.array([polarization._estimate(s, perm_rng.permutation(in_r)) for _ in range(n)])
    assert np.array_equal(polarization._bootstrap(s, in_r, n_boot=n, seed=seed), boot, equal_nan=True)
    assert np.array_equal(polarization._permutations(s, in_r, n_perm=n, seed=seed), perm)


def test_bootstrap_skips_degenerate_replicates_in_batches():
    # two authors per group: many replicates draw one distinct author and are NaN, the others are computed
    s, in_r = polarization._prepare(np.array([[1, 2, 0], [0, 1, 3], [2, 0, 1], [1, 1, 1]]), np.array([1, 1, 0, 0]))[:2]
    boot = polarization._bootstrap(s, in_r, n_boot=20, seed=2)
    seed_r, seed_d = polarization._bootstrap_seeds(2)
    w_r = bootstrap_weights(2, n_boot=20, seed=seed_r)
    w_d = bootstrap_weights(2, n_boot=20, seed=seed_d)
    valid = (np.count_nonzero(w_r, axis=1) == 2) & (np.count_nonzero(w_d, axis=1) == 2)
    assert 0 < valid.sum() < 20
    assert np.array_equal(np.isfinite(boot), valid)
    for b in np.flatnonzero(valid):
        assert boot[b] == polarization._estimate(s, in_r, np.concatenate([w_r[b], w_d[b]]).astype(float))


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
        got = _aligned(where, comments, table, "t")
        expected = merge_reference(comments, table)
        assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])
    with pytest.raises(ValueError, match="more than one row"):
        _aligned(where, comments, comments.iloc[[0, 1, 1]], "t")


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


@pytest.mark.parametrize("seed", [0, 1])
def test_undirected_equals_the_edge_by_edge_construction(seed):
    g = random_digraph(seed)
    assert any(g.has_edge(v, u) for u, v in g.edges() if u != v)  # reciprocal edges to merge
    known = network._known_subgraph(g, "group")
    assert isinstance(known, nx.DiGraph) and known.number_of_nodes() < g.number_of_nodes()
    for graph in (g, known, g.to_undirected(), nx.MultiDiGraph(g)):
        for weight in ("weight", None):
            assert same_graph(network._undirected(graph, weight), undirected_reference(graph, weight))


def test_measures_on_the_graph_equal_those_on_its_full_subgraph_view(monkeypatch):
    g = random_digraph(3)
    for v in g:
        g.nodes[v]["group"] = g.nodes[v]["group"] or "L"  # every node known: the measures use the graph itself
    assert network._subgraph(g, list(g)) is g
    direct = (network.assortativity(g), network.assortativity(g, weighted=True), network.modularity(g),
              network.random_walk_probabilities(g, k=2))
    monkeypatch.setattr(network, "_subgraph", lambda graph, nodes: graph.subgraph(nodes))
    viewed = (network.assortativity(g), network.assortativity(g, weighted=True), network.modularity(g),
              network.random_walk_probabilities(g, k=2))
    assert direct == viewed
