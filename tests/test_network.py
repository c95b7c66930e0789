"""Reply networks: cross-group replies, assortativity, modularity, random walk controversy.

Expected values are worked out by hand (in the comments) or computed from
the definitions written out here, never copied from the code's output.
"""

import itertools
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from analysis.network import (
    assortativity,
    cross_group_replies,
    modularity,
    random_walk_controversy,
    random_walk_probabilities,
    reply_graph,
)
from analysis.stats import bootstrap_weights


def six_pairs() -> pd.DataFrame:
    """Six replies between known groups (a, c: L; b, d: R), plus three that must be ignored."""
    rows = [
        # child, parent, child_group, parent_group, thread
        ("a", "b", "L", "R", "t1"),  # cross
        ("b", "a", "R", "L", "t1"),  # cross
        ("c", "a", "L", "L", "t1"),
        ("d", "b", "R", "R", "t2"),
        ("c", "a", "L", "L", "t2"),
        ("a", "c", "L", "L", "t2"),
        ("e", "a", "", "L", "t2"),  # unknown child group: ignored
        ("a", "x", "L", None, "t2"),  # unknown parent group: ignored
        ("a", "a", "L", "L", "t2"),  # self-reply: ignored
    ]
    return pd.DataFrame(rows, columns=["child_author", "parent_author", "child_group", "parent_group", "thread_id"])


# ---------------------------------------------------------------- cross-group replies


def test_cross_group_share_by_hand():
    # 6 replies: 2 cross (a->b, b->a) -> cross share 2/6 = 1/3.
    # children: L = a, c, c, a (4/6), R = b, d (2/6); parents: b(R), a, a, b(R), a, c -> L 4/6, R 2/6
    # expected = 1 - (4/6 * 4/6 + 2/6 * 2/6) = 1 - 20/36 = 4/9; ratio = (1/3) / (4/9) = 3/4
    out = cross_group_replies(six_pairs(), n_boot=200, seed=1).set_index("quantity")
    assert out.loc["cross_share", "estimate"] == pytest.approx(1 / 3)
    assert out.loc["expected_share", "estimate"] == pytest.approx(4 / 9)
    assert out.loc["ratio", "estimate"] == pytest.approx(3 / 4)
    assert (out["n_pairs"] == 6).all() and (out["n_groups"] == 2).all()
    # 2 threads < min_clusters = 10: resample single replies
    assert (out["unit"] == "pair").all() and (out["n_clusters"] == 6).all()
    assert (out["ci_low"] <= out["estimate"]).all() and (out["estimate"] <= out["ci_high"]).all()
    # keeping the self-reply adds a within-group reply: 2/7 cross
    kept = cross_group_replies(six_pairs(), n_boot=10, drop_self=False).set_index("quantity")
    assert kept.loc["cross_share", "estimate"] == pytest.approx(2 / 7)


def test_cross_group_bootstrap_over_threads_by_definition():
    rng = np.random.default_rng(0)
    n = 120
    groups = np.array(["A", "B", "C"])
    table = pd.DataFrame(
        {
            "child_author": [f"u{i}" for i in rng.integers(0, 40, n)],
            "parent_author": [f"v{i}" for i in rng.integers(0, 40, n)],
            "child_group": groups[rng.integers(0, 3, n)],
            "parent_group": groups[rng.integers(0, 3, n)],
            "thread_id": rng.integers(0, 15, n),
        }
    )
    out = cross_group_replies(table, n_boot=40, seed=5, level=0.9).set_index("quantity")
    assert (out["unit"] == "thread").all()
    threads = list(pd.unique(table["thread_id"]))  # clusters in order of first appearance
    assert out.loc["ratio", "n_clusters"] == len(threads)
    weights = bootstrap_weights(len(threads), n_boot=40, seed=5)
    reps = []
    for w in weights:
        drawn = pd.concat([table[table["thread_id"] == threads[c]] for c in range(len(threads)) for _ in range(w[c])])
        obs = (drawn["child_group"] != drawn["parent_group"]).mean()
        pc = drawn["child_group"].value_counts(normalize=True)
        pp = drawn["parent_group"].value_counts(normalize=True)
        exp = 1 - sum(pc.get(g, 0) * pp.get(g, 0) for g in groups)
        reps.append((obs, exp, obs / exp))
    reps = np.array(reps)
    for col, name in enumerate(["cross_share", "expected_share", "ratio"]):
        low, high = np.quantile(reps[:, col], [0.05, 0.95])
        assert out.loc[name, "ci_low"] == pytest.approx(low)
        assert out.loc[name, "ci_high"] == pytest.approx(high)
    again = cross_group_replies(table, n_boot=40, seed=5, level=0.9).set_index("quantity")
    pd.testing.assert_frame_equal(out, again)


def test_cross_group_argument_checks():
    with pytest.raises(ValueError, match="columns"):
        cross_group_replies(six_pairs().drop(columns="thread_id"))
    empty = six_pairs().assign(child_group="")
    with pytest.raises(ValueError, match="known groups"):
        cross_group_replies(empty)
    one_group = six_pairs().assign(child_group="L", parent_group="L")
    out = cross_group_replies(one_group, n_boot=5).set_index("quantity")
    assert out.loc["expected_share", "estimate"] == 0.0 and math.isnan(out.loc["ratio", "estimate"])


# ---------------------------------------------------------------- the graph


def test_reply_graph_nodes_edges_and_groups():
    g = reply_graph(six_pairs())
    assert isinstance(g, nx.DiGraph)
    # "e" and "x" are known authors; e -> a has known authors (child group unknown), a -> x too
    assert sorted(g.nodes) == ["a", "b", "c", "d", "e", "x"]
    assert g["c"]["a"]["weight"] == 2 and g["a"]["b"]["weight"] == 1
    assert not g.has_edge("a", "a")
    assert g.nodes["a"]["group"] == "L" and g.nodes["d"]["group"] == "R"
    assert g.nodes["e"]["group"] == "" and g.nodes["x"]["group"] == ""
    # modal group, ties to the smallest name
    t = pd.DataFrame(
        {
            "child_author": ["p", "p", "p", "q"],
            "parent_author": ["q", "q", "q", "p"],
            "child_group": ["B", "A", "B", "A"],
            "parent_group": ["B", "B", "", "A"],
        }
    )
    g2 = reply_graph(t)
    # p: B (row 0 child), A (row 1), B (row 2), A (row 3 as parent) -> tie 2:2 -> "A"
    assert g2.nodes["p"]["group"] == "A"
    # q: B (row 0 parent), B (row 1 parent), A (row 3 child) -> "B"
    assert g2.nodes["q"]["group"] == "B"
    assert g2["p"]["q"]["weight"] == 3
    # row order does not matter
    g3 = reply_graph(t.iloc[::-1])
    assert list(g3.nodes(data=True)) == list(g2.nodes(data=True))


# ---------------------------------------------------------------- assortativity


def test_assortativity_extremes_by_hand():
    within = nx.DiGraph()
    within.add_nodes_from([1, 2], group="A")
    within.add_nodes_from([3, 4], group="B")
    within.add_edges_from([(1, 2), (3, 4)])
    # e = [[1/2, 0], [0, 1/2]], a = b = (1/2, 1/2): r = (1 - 1/2) / (1 - 1/2) = 1
    assert assortativity(within) == pytest.approx(1.0)

    # undirected bipartite: every edge counted both ways, e = [[0, 1/2], [1/2, 0]]:
    # r = (0 - 1/2) / (1 - 1/2) = -1
    bip = nx.complete_bipartite_graph(2, 3)
    nx.set_node_attributes(bip, {v: "A" if v < 2 else "B" for v in bip}, "group")
    assert assortativity(bip) == pytest.approx(-1.0)
    # directed, all edges A -> B: e = [[0, 1], [0, 0]], a = (1, 0), b = (0, 1): r = (0 - 0) / (1 - 0) = 0
    one_way = nx.DiGraph([(0, 2), (1, 3)])
    nx.set_node_attributes(one_way, {0: "A", 1: "A", 2: "B", 3: "B"}, "group")
    assert assortativity(one_way) == pytest.approx(0.0)
    # both directions: e = [[0, 1/2], [1/2, 0]] -> -1
    both = nx.DiGraph([(0, 2), (2, 0), (1, 3), (3, 1)])
    nx.set_node_attributes(both, {0: "A", 1: "A", 2: "B", 3: "B"}, "group")
    assert assortativity(both) == pytest.approx(-1.0)


def test_assortativity_of_the_six_pairs_weighted_and_not():
    g = reply_graph(six_pairs())
    # unknown-group nodes e, x are left out. Edges (one each): a->b (LR), b->a (RL), c->a (LL), d->b (RR), a->c (LL)
    # e = [[2/5, 1/5], [1/5, 1/5]]; a (child) = (3/5, 2/5); b (parent) = (3/5, 2/5)
    # r = (3/5 - 13/25) / (1 - 13/25) = (2/25) / (12/25) = 1/6
    assert assortativity(g) == pytest.approx(1 / 6)
    # weighted by replies (c->a twice): e = [[3/6, 1/6], [1/6, 1/6]], a = b = (4/6, 2/6)
    # r = (4/6 - 20/36) / (1 - 20/36) = (4/36) / (16/36) = 1/4 = 1 - ratio of cross_group_replies
    assert assortativity(g, weighted=True) == pytest.approx(1 / 4)
    ratio = cross_group_replies(six_pairs(), n_boot=5).set_index("quantity").loc["ratio", "estimate"]
    assert assortativity(g, weighted=True) == pytest.approx(1 - ratio)


def test_weighted_assortativity_equals_one_minus_ratio_on_random_replies():
    rng = np.random.default_rng(4)
    n = 300
    author_group = {f"u{i}": "ABC"[i % 3] for i in range(30)}
    authors = list(author_group)
    child = [authors[i] for i in rng.integers(0, 30, n)]
    parent = [authors[i] for i in rng.integers(0, 30, n)]
    table = pd.DataFrame(
        {
            "child_author": child,
            "parent_author": parent,
            "child_group": [author_group[a] for a in child],
            "parent_group": [author_group[a] for a in parent],
            "thread_id": rng.integers(0, 20, n),
        }
    )
    ratio = cross_group_replies(table, n_boot=5).set_index("quantity").loc["ratio", "estimate"]
    assert assortativity(reply_graph(table), weighted=True) == pytest.approx(1 - ratio)


def test_assortativity_undefined_cases():
    g = nx.DiGraph([(1, 2)])
    nx.set_node_attributes(g, "A", "group")
    assert math.isnan(assortativity(g))  # a single group
    assert math.isnan(assortativity(nx.DiGraph()))


# ---------------------------------------------------------------- modularity


def newman_q(graph_edges, group_of):
    """Q = 1/2m Σ_ij (A_ij - k_i k_j / 2m) δ(g_i, g_j), with A symmetric (weights of both directions summed)."""
    nodes = sorted(group_of)
    a = {(u, v): 0.0 for u in nodes for v in nodes}
    for u, v, w in graph_edges:
        a[(u, v)] += w
        a[(v, u)] += w
    k = {u: sum(a[(u, v)] for v in nodes) for u in nodes}
    two_m = sum(k.values())
    return sum(
        (a[(u, v)] - k[u] * k[v] / two_m) for u in nodes for v in nodes if group_of[u] == group_of[v]
    ) / two_m


def test_modularity_of_two_disconnected_cliques():
    edges = [(u, v, 1) for u, v in itertools.combinations(range(5), 2)]
    edges += [(u, v, 1) for u, v in itertools.combinations(range(5, 10), 2)]
    group_of = {v: "A" if v < 5 else "B" for v in range(10)}
    g = nx.DiGraph()
    g.add_nodes_from((v, {"group": grp}) for v, grp in group_of.items())
    g.add_weighted_edges_from(edges)
    expected = newman_q(edges, group_of)
    # each clique: L_c = 10 of m = 20 edges, degree sum 20 of 2m = 40: Q = 2 (1/2 - 1/4) = 1/2
    assert expected == pytest.approx(0.5)
    assert modularity(g) == pytest.approx(expected)


def test_modularity_sums_reciprocal_weights():
    rng = np.random.default_rng(2)
    group_of = {f"n{i}": "XY"[i % 2] for i in range(12)}
    nodes = list(group_of)
    g = nx.DiGraph()
    g.add_nodes_from((v, {"group": grp}) for v, grp in group_of.items())
    edges = []
    for _ in range(40):
        u, v = rng.choice(nodes, 2, replace=False)
        w = int(rng.integers(1, 5))
        if g.has_edge(u, v):
            g[u][v]["weight"] += w
        else:
            g.add_edge(u, v, weight=w)
        edges.append((u, v, w))
    g.add_node("lost", group="")  # unknown group: left out
    g.add_edge("lost", nodes[0], weight=7)
    assert modularity(g) == pytest.approx(newman_q(edges, group_of))
    unweighted = {}
    for u, v, _ in edges:
        unweighted[frozenset((u, v))] = 1
    assert modularity(g, weight=None) == pytest.approx(
        newman_q([(*sorted(p), 1) for p in unweighted], group_of)
    )


# ---------------------------------------------------------------- random walk controversy


def two_cliques(n=5):
    g = nx.Graph()
    g.add_nodes_from(range(n), group="X")
    g.add_nodes_from(range(n, 2 * n), group="Y")
    g.add_edges_from(itertools.combinations(range(n), 2))
    g.add_edges_from(itertools.combinations(range(n, 2 * n), 2))
    return g


def test_rwc_of_two_disconnected_cliques_is_one():
    g = two_cliques()
    assert random_walk_controversy(g, k=2) == pytest.approx(1.0)
    d = random_walk_probabilities(g, k=2)
    assert d["p_xx"] == pytest.approx(1.0) and d["p_xy"] == pytest.approx(0.0)
    assert d["n_absorbing_x"] == 2 and d["n_start_x"] == 3 and d["unabsorbed_x"] == 0.0


def complete_bipartite(m, n):
    g = nx.complete_bipartite_graph(m, n)
    nx.set_node_attributes(g, {v: "X" if v < m else "Y" for v in g}, "group")
    return g


def test_rwc_of_complete_bipartite_graph_by_hand():
    # K_{5,5}, k = 2 absorbing nodes per side. From a non-absorbing X node all neighbours are Y
    # nodes, 2 of 5 absorbing: absorbed in Y with p = 2/5, else at a non-absorbing Y node, from
    # where it is absorbed in X with p = 2/5, else back at a non-absorbing X node. With h = P(end Y):
    # h = p + (1 - p)^2 h  ->  h = p / (1 - (1 - p)^2) = 1 / (2 - p) = 1 / 1.6 = 5/8.
    # P_XY = P_YX = 5/8, P_XX = P_YY = 3/8: RWC = 9/64 - 25/64 = -1/4 (= -p / (2 - p)).
    d = random_walk_probabilities(complete_bipartite(5, 5), k=2)
    assert d["p_xy"] == pytest.approx(5 / 8) and d["p_yx"] == pytest.approx(5 / 8)
    assert d["rwc"] == pytest.approx(-0.25)
    # K_{4,6}, k = 2: from X absorbed in Y w.p. p_Y = 2/6, from Y absorbed in X w.p. p_X = 2/4.
    # P_XY = p_Y / (1 - (1 - p_Y)(1 - p_X)) = (1/3) / (2/3) = 1/2; P_YX = (1/2) / (2/3) = 3/4
    # RWC = (1/2)(1/4) - (1/2)(3/4) = -1/4
    d = random_walk_probabilities(complete_bipartite(4, 6), k=2)
    assert d["p_xy"] == pytest.approx(1 / 2) and d["p_yx"] == pytest.approx(3 / 4)
    assert d["rwc"] == pytest.approx(-0.25)


def test_rwc_path_by_hand_with_weights():
    # path x0 - x1 - x2 - y0 - y1 - y2 (weights 1), k = 1: absorbing x1? degrees: x0 1, x1 2, x2 2,
    # y0 2, y1 2, y2 1; ties broken by node order: X absorbs "x1", Y absorbs "y0".
    # From x0: -> x1 (absorbed X). From x2: -> x1 or y0, each 1/2. So P_XY = mean(0, 1/2) = 1/4.
    # From y2: -> y1; from y1: -> y0 (Y) or y2, so h(y1) = 1/2 + 1/2 h(y2) = 1/2 + h(y1)/2 -> 1: P_YY = 1.
    # RWC = (3/4)(1) - (1/4)(0) = 3/4.
    g = nx.Graph()
    g.add_nodes_from(["x0", "x1", "x2"], group="X")
    g.add_nodes_from(["y0", "y1", "y2"], group="Y")
    g.add_edges_from([("x0", "x1"), ("x1", "x2"), ("x2", "y0"), ("y0", "y1"), ("y1", "y2")], weight=1)
    assert random_walk_controversy(g, k=1) == pytest.approx(3 / 4)
    # weight of x2 - y0 = 3: weighted degrees x0 1, x1 2, x2 4, y0 4, y1 2, y2 1, so X now absorbs x2
    # and Y absorbs y0. X starts x0, x1: h(x0) = h(x1), h(x1) = 1/2 h(x0) + 1/2 * 0 -> 0, so P_XY = 0.
    # Y starts y1, y2 can only reach y0: P_YY = 1. RWC = 1 * 1 - 0 * 0 = 1.
    g["x2"]["y0"]["weight"] = 3
    assert random_walk_controversy(g, k=1) == pytest.approx(1.0)
    # unweighted: back to the first answer
    assert random_walk_controversy(g, k=1, weight=None) == pytest.approx(3 / 4)


def test_rwc_disconnected_start_nodes_are_left_out():
    g = two_cliques()
    g.add_nodes_from(["s1", "s2"], group="X")
    g.add_edge("s1", "s2")  # a component without absorbing nodes (degree 1 < clique degree 4)
    g.add_node("iso", group="Y")  # isolated
    d = random_walk_probabilities(g, k=2)
    assert d["rwc"] == pytest.approx(1.0)
    assert d["unabsorbed_x"] == pytest.approx(2 / 5)  # s1, s2 of 5 start nodes
    assert d["unabsorbed_y"] == pytest.approx(1 / 4)  # iso of 4 start nodes


def test_rwc_is_deterministic_and_independent_of_insertion_order():
    rng = np.random.default_rng(3)
    g = nx.gnp_random_graph(60, 0.08, seed=3, directed=True)
    nx.set_node_attributes(g, {v: "X" if v < 30 else "Y" for v in g}, "group")
    nx.set_edge_attributes(g, {e: int(rng.integers(1, 4)) for e in g.edges}, "weight")
    first = random_walk_probabilities(g, k=3)
    second = random_walk_probabilities(g, k=3)
    assert first == second
    h = nx.DiGraph()
    h.add_nodes_from(sorted(g.nodes(data=True), reverse=True))
    h.add_edges_from(sorted(g.edges(data=True), reverse=True))
    assert random_walk_probabilities(h, k=3)["rwc"] == pytest.approx(first["rwc"], abs=1e-12)


def rwc_dense_reference(g, k):
    """P_XY, P_YX and RWC by the definition: dense solve of h = P h over the non-absorbing nodes that can reach an
    absorbing one (groups 'X' and 'Y'; the k highest weighted degrees of each side absorb, ties by node name)."""
    nodes = sorted(g, key=str)
    a = nx.to_numpy_array(g, nodelist=nodes, weight="weight")
    degree = a.sum(axis=1)
    side_y = np.array([g.nodes[v]["group"] == "Y" for v in nodes])
    absorbing = np.zeros(len(nodes), dtype=bool)
    for on_side in (~side_y, side_y):
        members = np.flatnonzero(on_side)
        absorbing[members[np.argsort(-degree[members], kind="stable")[:k]]] = True
    index = {v: i for i, v in enumerate(nodes)}
    reached = np.zeros(len(nodes), dtype=bool)
    for comp in nx.connected_components(g):
        rows = [index[v] for v in comp]
        reached[rows] = absorbing[rows].any()
    t = np.flatnonzero(reached & ~absorbing)
    h = np.linalg.solve(np.diag(degree[t]) - a[np.ix_(t, t)],
                        a[np.ix_(t, np.flatnonzero(absorbing & side_y))].sum(axis=1))
    ends = np.full(len(nodes), np.nan)
    ends[t] = h
    p_xy = np.nanmean(ends[~absorbing & ~side_y & reached])
    p_yx = 1.0 - np.nanmean(ends[~absorbing & side_y & reached])
    return {"p_xy": p_xy, "p_yx": p_yx, "rwc": (1 - p_xy) * (1 - p_yx) - p_xy * p_yx}


def test_rwc_on_a_large_graph_equals_a_dense_solve_of_the_definition():
    # 2,300 nodes, 2 x 5 absorbing: more unknowns than the sparse LU takes, so conjugate gradients solve it
    rng = np.random.default_rng(8)
    g = nx.relabel_nodes(nx.barabasi_albert_graph(2300, 2, seed=8), lambda v: f"n{v:05d}")
    nx.set_node_attributes(g, {v: "X" if rng.random() < 0.5 else "Y" for v in g}, "group")
    nx.set_edge_attributes(g, {e: int(rng.integers(1, 5)) for e in g.edges}, "weight")
    g.add_edge("z1", "z2", weight=1)  # a component without absorbing nodes
    nx.set_node_attributes(g, {"z1": "X", "z2": "Y"}, "group")
    got = random_walk_probabilities(g, k=5)
    expected = rwc_dense_reference(g, 5)
    for key in ("p_xy", "p_yx", "rwc"):
        assert got[key] == pytest.approx(expected[key], abs=1e-9)
    assert got["unabsorbed_x"] > 0 and got["unabsorbed_y"] > 0  # z1 and z2 never reach an absorbing node
    assert random_walk_controversy(complete_bipartite(5, 5), k=2) == pytest.approx(-0.25, abs=1e-10)


def test_rwc_simulation_agrees_with_exact():
    rng = np.random.default_rng(6)
    # two dense communities with a few bridges, weighted
    g = nx.Graph()
    for v in range(40):
        g.add_node(v, group="X" if v < 20 else "Y")
    for u, v in itertools.combinations(range(40), 2):
        same = (u < 20) == (v < 20)
        if rng.random() < (0.3 if same else 0.03):
            g.add_edge(u, v, weight=int(rng.integers(1, 4)))
    exact = random_walk_probabilities(g, k=3)
    sim = random_walk_probabilities(g, k=3, method="simulate", n_walks=20_000, seed=1)
    for key in ("p_xy", "p_yx"):
        assert sim[key] == pytest.approx(exact[key], abs=0.015)  # ~4 standard errors
    assert random_walk_probabilities(g, k=3, method="simulate", n_walks=500, seed=1) == random_walk_probabilities(
        g, k=3, method="simulate", n_walks=500, seed=1
    )


def test_rwc_needs_two_groups_and_enough_nodes():
    g = two_cliques()
    g.add_node("z", group="Z")
    with pytest.raises(ValueError, match="exactly two groups"):
        random_walk_controversy(g, k=2)
    assert random_walk_controversy(g, k=2, groups=("X", "Y")) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="groups"):
        random_walk_controversy(g, k=2, groups=("X", "W"))
    with pytest.raises(ValueError, match="k=5"):
        random_walk_controversy(two_cliques(), k=5)
    with pytest.raises(ValueError, match="method"):
        random_walk_controversy(two_cliques(), k=2, method="walk")


def test_rwc_on_reply_graph():
    # replies within two camps plus one crossing reply; unknown-group authors are removed
    rows = []
    for camp, people in (("L", ["a", "b", "c", "d"]), ("R", ["p", "q", "r", "s"])):
        for u, v in itertools.permutations(people, 2):
            rows.append((u, v, camp, camp, "t"))
    rows.append(("a", "p", "L", "R", "t"))
    rows.append(("z", "a", "", "L", "t"))
    table = pd.DataFrame(rows, columns=["child_author", "parent_author", "child_group", "parent_group", "thread_id"])
    g = reply_graph(table)
    assert "z" in g and g.nodes["z"]["group"] == ""  # kept in the graph, removed for RWC
    # undirected weights: 2 per camp pair (both directions), so a and p have degree 3 * 2 + 1 = 7, the top
    # of their sides: with k = 1 the bridge joins two absorbing nodes and no walk can cross: RWC = 1
    assert random_walk_controversy(g, k=1) == pytest.approx(1.0)
    # bridge b -> q instead, and a, p made the hubs by extra replies: walks can now cross through b - q
    table.loc[len(table) - 2, ["child_author", "parent_author"]] = ["b", "q"]
    extra = pd.DataFrame(
        [("a", "c", "L", "L", "t")] * 3 + [("p", "r", "R", "R", "t")] * 3, columns=table.columns
    )
    g = reply_graph(pd.concat([table, extra], ignore_index=True))
    exact = random_walk_controversy(g, k=1)
    assert 0.5 < exact < 1.0
    sim = random_walk_controversy(g, k=1, method="simulate", n_walks=20_000, seed=2)
    assert sim == pytest.approx(exact, abs=0.03)


def test_reply_graph_known_only_is_the_known_subgraph():
    """known_only builds exactly the subgraph of known groups the measures use: nodes, order, edges, weights."""
    rng = np.random.default_rng(5)
    authors = [f"a{i}" for i in range(12)]
    group = {a: ("x" if i % 3 == 0 else "y" if i % 3 == 1 else "") for i, a in enumerate(authors)}
    rows = []
    for _ in range(80):
        c, p = rng.choice(authors, 2)
        rows.append({"child_author": c, "parent_author": p, "child_group": group[c], "parent_group": group[p],
                     "thread_id": f"t{rng.integers(0, 5)}"})
    pairs = pd.DataFrame(rows)
    full = reply_graph(pairs)
    known = reply_graph(pairs, known_only=True)
    sub = full.subgraph([v for v, g in full.nodes(data="group") if g != ""])
    assert list(known.nodes(data=True)) == list(sub.nodes(data=True))
    assert list(known.edges(data=True)) == list(sub.edges(data=True))
    assert assortativity(known) == assortativity(full)
    assert modularity(known) == modularity(full)
