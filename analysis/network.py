"""Who replies to whom: homophily of replies between groups, and polarization of the reply network.

Input is a table of reply pairs, one row per reply, with ``child_author``
(who replied), ``parent_author`` (who was replied to), ``child_group``,
``parent_group`` (their groups, e.g. stance or side) and ``thread_id``.
Authors are pseudonyms; "" (or a missing value) is unknown, for authors and
groups alike.

* :func:`cross_group_replies`: the share of replies that cross groups versus
  the share expected under random mixing, and their ratio, with
  cluster-bootstrap intervals over threads; :func:`cross_share_baseline`
  the cross share when the authors' groups are shuffled (within strata).
* :func:`reply_graph` builds the weighted, directed reply graph;
  :func:`assortativity` (newman2003mixing) and :func:`modularity`
  (newman2006modularity) measure how much its edges stay within groups;
  :func:`random_walk_controversy` is the RWC score of garimella2018quantifying,
  computed exactly from the absorbing Markov chain.

Functions are pure: tables and graphs in, new objects out.

References (bibtex keys): newman2003mixing, newman2006modularity,
garimella2018quantifying, field2007bootstrapping, efron1994bootstrap.
"""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import cg, splu

from analysis.errors import bad_value, int_arg, level_arg
from analysis.groups import known
from analysis.stats import percentile_interval, replicate_sums

__all__ = [
    "PAIR_COLUMNS",
    "cross_group_replies",
    "cross_share_baseline",
    "reply_graph",
    "assortativity",
    "modularity",
    "random_walk_probabilities",
    "random_walk_controversy",
]

# absorption probabilities: sparse LU up to this many unknowns, conjugate gradients beyond
_DIRECT_MAX = 2000
_CG_RTOL = 1e-12

PAIR_COLUMNS = ("child_author", "parent_author", "child_group", "parent_group", "thread_id")
"""Columns of the reply-pairs table."""


# ---------------------------------------------------------------- argument checks


def _check_pairs(pairs: pd.DataFrame, columns=PAIR_COLUMNS) -> None:
    if not isinstance(pairs, pd.DataFrame):
        raise ValueError(f"pairs=<{type(pairs).__name__}>: expected a DataFrame with columns {list(columns)}")
    missing = [c for c in columns if c not in pairs.columns]
    if missing:
        raise ValueError(f"pairs=<columns {list(pairs.columns)}>: expected columns {missing} as well")


def _known_nodes(graph: nx.Graph, attribute: str) -> list:
    """The nodes whose ``attribute`` (their group) is known (:func:`analysis.groups.known`)."""
    nodes, groups = zip(*graph.nodes(data=attribute)) if graph.number_of_nodes() else ((), ())
    return [v for v, k in zip(nodes, known(pd.Series(groups, dtype=object))) if k]


# ---------------------------------------------------------------- cross-group replies


def _mixing_statistics(sums: np.ndarray, n_groups: int) -> np.ndarray:
    """(cross share, expected share, ratio) for each row of sums [n, cross, child_g..., parent_g...]."""
    n = sums[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = sums[:, 1] / n
        child = sums[:, 2 : 2 + n_groups] / n[:, None]
        parent = sums[:, 2 + n_groups :] / n[:, None]
        expected = 1.0 - (child * parent).sum(axis=1)
        expected = np.where(n > 0, expected, np.nan)
        ratio = np.where(expected > 0, observed / np.where(expected > 0, expected, 1.0), np.nan)
    return np.column_stack([observed, expected, ratio])


def _between_known_groups(pairs: pd.DataFrame, *, drop_self: bool) -> pd.DataFrame:
    """The replies whose two comments both have a known group (without self-replies when ``drop_self``); a
    ValueError when none is left."""
    keep = known(pairs["child_group"]) & known(pairs["parent_group"])
    if drop_self:
        child_author = pairs["child_author"]
        keep &= ~(known(child_author) & (child_author.astype(str) == pairs["parent_author"].astype(str)).to_numpy())
    rows = pairs.loc[keep]
    if len(rows) == 0:
        raise ValueError("pairs=<table>: expected at least one reply between two authors with known groups")
    return rows


def cross_group_replies(
    pairs: pd.DataFrame,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    min_clusters: int = 10,
    level: float = 0.95,
    drop_self: bool = True,
) -> pd.DataFrame:
    """Share of replies that cross groups, the share expected under random mixing, and their ratio, with bootstrap CIs.

    Only replies between two authors with known groups count (both
    ``child_group`` and ``parent_group`` present and not ""); with
    ``drop_self`` (default) self-replies (the same known author as child and
    parent) are left out too, since they are within-group by construction.
    Over the n remaining replies::

        cross_share    = #{child_group != parent_group} / n
        expected_share = 1 - Σ_g p_child(g) · p_parent(g)
        ratio          = cross_share / expected_share

    where p_child(g) is the share of these replies *written by* members of g
    and p_parent(g) the share *answering* members of g: the marginals of the
    reply (not the author) table, so each reply counts once and prolific
    authors count more. expected_share is the crossing rate if repliers chose
    whom to answer at random among the replied-to, keeping both marginals
    (the null model of the mixing matrix in newman2003mixing; with a
    directed reply graph built from the same replies, the reply-weighted
    assortativity r of :func:`assortativity` equals 1 - ratio).

    Returns three rows (``quantity`` = "cross_share", "expected_share",
    "ratio") with ``estimate``, ``ci_low``, ``ci_high`` (percentile interval
    at ``level``, :func:`analysis.stats.percentile_interval`), ``n_pairs``,
    ``n_groups``, ``n_clusters``, ``unit``, ``n_boot``, ``n_valid``
    (finite replicates). The interval is a cluster bootstrap over threads
    (``unit`` = "thread"; clusters in order of first appearance, replicate
    sums by :func:`analysis.stats.replicate_sums` with this ``seed``); with
    fewer than ``min_clusters`` threads it falls back to resampling single
    replies (``unit`` = "pair"), which ignores the dependence within threads.

    Higher means: cross_share and expected_share are shares of replies
    (higher = more crossing). ratio < 1 means people reply within their group
    more than chance would have them (homophily); 1 is random mixing; > 1
    means they seek out the other group (heterophily, e.g. arguing).

    Caveats: the null model keeps who replies and who is replied to as
    given, so it does not ask why a group is replied to more; ratio is NaN
    when only one group takes part (expected share 0). Threads are assumed
    independent (field2007bootstrapping).

    References: newman2003mixing, field2007bootstrapping, efron1994bootstrap.
    """
    _check_pairs(pairs)
    n_boot = int_arg("n_boot", n_boot, minimum=1)
    seed = int_arg("seed", seed, minimum=0)
    min_clusters = int_arg("min_clusters", min_clusters, minimum=1)
    level = level_arg(level)
    if not isinstance(drop_self, (bool, np.bool_)):
        raise bad_value("drop_self", drop_self, "True or False")
    rows = _between_known_groups(pairs, drop_self=drop_self)
    child = rows["child_group"].astype(str).to_numpy()
    parent = rows["parent_group"].astype(str).to_numpy()
    names = np.unique(np.concatenate([child, parent]))
    g = len(names)
    child_code = np.searchsorted(names, child)
    parent_code = np.searchsorted(names, parent)
    if not known(rows["thread_id"]).all():
        raise ValueError("pairs=<table>: expected a thread_id for every reply between known groups")
    thread_code, threads = pd.factorize(rows["thread_id"])
    if len(threads) >= min_clusters:
        unit, cluster = "thread", thread_code
    else:
        unit, cluster = "pair", np.arange(len(rows))
    n_clusters = int(cluster.max()) + 1
    n = len(rows)
    # per-cluster sums: [replies, crossing replies, replies by g (child), replies to g (parent)]
    col = np.concatenate([np.zeros(n, int), np.ones(n, int), 2 + child_code, 2 + g + parent_code])
    row = np.tile(cluster, 4)
    val = np.concatenate([np.ones(n), (child_code != parent_code).astype(float), np.ones(n), np.ones(n)])
    values = sp.coo_array((val, (row, col)), shape=(n_clusters, 2 + 2 * g)).tocsr()
    estimate = _mixing_statistics(np.asarray(values.sum(axis=0)).reshape(1, -1), g)[0]
    replicates = _mixing_statistics(replicate_sums(values, n_boot=n_boot, seed=seed), g)
    low, high = percentile_interval(replicates, level)
    return pd.DataFrame(
        {
            "quantity": ["cross_share", "expected_share", "ratio"],
            "estimate": estimate,
            "ci_low": low,
            "ci_high": high,
            "n_pairs": n,
            "n_groups": g,
            "n_clusters": n_clusters,
            "unit": unit,
            "n_boot": n_boot,
            "n_valid": np.isfinite(replicates).sum(axis=0),
        }
    )


# ---------------------------------------------------------------- the reply graph


def reply_graph(pairs: pd.DataFrame, *, known_only: bool = False) -> nx.DiGraph:
    """Directed reply graph: an edge child -> parent per pair of authors, weighted by the number of replies.

    Nodes are the known authors (not missing, not "") of replies whose
    *both* authors are known; self-replies are left out (no self-loops). An
    edge's ``weight`` is how often ``child_author`` replied to
    ``parent_author``. Each node's ``group`` attribute is the author's
    most frequent known group over all rows where the author appears (as
    child with ``child_group`` or as parent with ``parent_group``, also rows
    whose other author is unknown); ties go to the smallest group name; ""
    if the author never has a known group. Groups are strings. Nodes are
    added in sorted order, edges in sorted (child, parent) order, so the
    graph does not depend on the row order.

    With ``known_only=True`` only the nodes with a known group are kept,
    with the edges between them: the same graph as the subgraph of known
    groups that :func:`assortativity`, :func:`modularity` and
    :func:`random_walk_controversy` work on (same node and edge order, hence
    the same values), without building the nodes and edges they drop.

    Higher means: a heavier edge is more replies from child to parent.

    Caveats: an author whose group changes over time gets one (modal) group;
    replies to deleted or anonymous authors are not in the graph.

    Reference: newman2003mixing (networks with node types).
    """
    _check_pairs(pairs, PAIR_COLUMNS[:4])
    child = pairs["child_author"]
    parent = pairs["parent_author"]
    both = known(child) & known(parent)
    edges = pd.DataFrame({"child": child[both].astype(str).to_numpy(), "parent": parent[both].astype(str).to_numpy()})
    edges = edges[edges["child"] != edges["parent"]]
    weights = edges.groupby(["child", "parent"], sort=True).size()
    nodes = pd.unique(np.concatenate([edges["child"].to_numpy(dtype=object), edges["parent"].to_numpy(dtype=object)]))

    member = pd.concat(
        [
            pd.DataFrame({"author": child, "group": pairs["child_group"]}),
            pd.DataFrame({"author": parent, "group": pairs["parent_group"]}),
        ],
        ignore_index=True,
    )
    member = member[known(member["author"]) & known(member["group"])].astype(str)
    votes = member.groupby(["author", "group"], sort=True).size().reset_index(name="n")
    # most frequent group; ties: the smallest name (stable sort keeps name order within equal counts)
    modal = votes.sort_values("n", ascending=False, kind="stable").drop_duplicates("author")
    modal = modal.set_index("author")["group"]
    group_of = modal.to_dict()
    if known_only:  # modal holds only known groups
        nodes = [a for a in nodes if a in group_of]
        keep = weights.index.get_level_values(0).isin(modal.index) & weights.index.get_level_values(1).isin(modal.index)
        weights = weights[keep]

    graph = nx.DiGraph()
    graph.add_nodes_from((a, {"group": str(group_of.get(a, ""))}) for a in sorted(nodes))
    graph.add_weighted_edges_from((c, p, int(w)) for (c, p), w in zip(weights.index.tolist(), weights.tolist()))
    return graph


def _known_subgraph(graph: nx.Graph, attribute: str) -> nx.Graph:
    """The nodes with a known group and the edges between them; the graph itself when every node has one."""
    return _subgraph(graph, _known_nodes(graph, attribute))


def _subgraph(graph: nx.Graph, nodes: list) -> nx.Graph:
    """``graph.subgraph(nodes)``, or the graph itself when ``nodes`` are all of its nodes.

    A subgraph view filters every node and edge it yields (a Python call
    each, 2-3x the cost of walking the graph); with all nodes kept it holds
    the same nodes and edges in the same order as the graph, so the graph
    serves as is (the callers only read it).
    """
    if len(nodes) == graph.number_of_nodes() and len(set(nodes)) == len(nodes):
        return graph
    return graph.subgraph(nodes)


def assortativity(graph: nx.Graph, *, weighted: bool = False, attribute: str = "group") -> float:
    """Attribute assortativity r of the groups: how much more edges stay within groups than at random (1 = all within).

    With e_gh the share of edges from a node of group g to a node of group
    h, a_g = Σ_h e_gh and b_h = Σ_g e_gh::

        r = (Σ_g e_gg - Σ_g a_g b_g) / (1 - Σ_g a_g b_g)

    (newman2003mixing, eq. 2). Nodes whose ``attribute`` is missing or "" are
    left out, with their edges.

    * ``weighted=False`` (default): networkx's
      ``attribute_assortativity_coefficient``, which counts every edge once
      whatever its weight (for a directed graph, e is the child -> parent
      matrix of edges; for an undirected graph every edge is counted in both
      directions, so e is symmetric).
    * ``weighted=True``: the same formula with each edge counted ``weight``
      times (missing weights count 1), i.e. over replies rather than over
      pairs of authors. On a graph from :func:`reply_graph` this equals
      1 - ratio of :func:`cross_group_replies` (same replies, self-replies
      dropped).

    Convention to know: on a directed graph whose edges all go from group A
    to group B, r = 0, not -1 (a = (1, 0) and b = (0, 1) make the chance
    term 0); r = -1 needs crossing edges in both directions (as in an
    undirected bipartite graph).

    Higher means: more within-group edges than chance (homophily), up to 1;
    0 is random mixing; negative means edges prefer the other group. NaN if
    there are no edges or a single group (r undefined).

    Caveats: r depends on the group sizes' balance (its maximum below 1 when
    groups differ in size is not reached); unweighted r treats one reply and
    a hundred alike.

    Reference: newman2003mixing.
    """
    if not isinstance(weighted, (bool, np.bool_)):
        raise bad_value("weighted", weighted, "True or False")
    sub = _known_subgraph(graph, attribute)
    if sub.number_of_edges() == 0:
        return float("nan")
    names = sorted({str(grp) for _, grp in sub.nodes(data=attribute)})
    index = {name: i for i, name in enumerate(names)}
    label = {v: index[str(grp)] for v, grp in sub.nodes(data=attribute)}
    e = np.zeros((len(names), len(names)))
    for u, v, w in sub.edges(data="weight", default=1):
        w = w if weighted else 1
        e[label[u], label[v]] += w
        if not sub.is_directed() and u != v:
            e[label[v], label[u]] += w
    e /= e.sum()
    chance = float(e.sum(axis=1) @ e.sum(axis=0))
    if chance >= 1.0 - 1e-15:
        return float("nan")
    if not weighted:
        # networkx's attribute_assortativity_coefficient, with the groups in sorted order: networkx orders the
        # mixing matrix by a set of the values, so the last digits of r changed with PYTHONHASHSEED
        values = sorted({grp for _, grp in sub.nodes(data=attribute)}, key=_node_key)
        mix = nx.attribute_mixing_matrix(sub, attribute, mapping={v: i for i, v in enumerate(values)})
        if mix.sum() != 1.0:
            mix = mix / mix.sum()
        s = (mix @ mix).sum()
        return float((mix.trace() - s) / (1 - s))
    return float((np.trace(e) - chance) / (1.0 - chance))


def _undirected(graph: nx.Graph, weight: str | None) -> nx.Graph:
    """Undirected simple graph; reciprocal edges u->v and v->u become one edge with the summed weight."""
    out = nx.Graph()
    out.add_nodes_from(graph.nodes(data=True))
    if graph.is_directed() and not graph.is_multigraph():  # the order of graph.edges(), without its views
        adjacency = graph.adjacency()
        edges = ((u, v, d.get(weight, 1) if weight is not None else 1)
                 for u, nbrs in adjacency for v, d in nbrs.items())
    elif weight is not None:
        edges = graph.edges(data=weight, default=1)
    else:
        edges = ((u, v, 1) for u, v in graph.edges())
    # the pairs in the order first seen, as each edge is first added; a pair seen again adds its weight
    merged: dict = {}
    for u, v, w in edges:
        if u == v:
            continue
        key = (v, u) if (v, u) in merged else (u, v)
        if key in merged:
            if weight is not None:
                merged[key] += w
        else:
            merged[key] = w
    out.add_weighted_edges_from((u, v, w) for (u, v), w in merged.items())
    return out


def modularity(graph: nx.Graph, *, attribute: str = "group", weight: str | None = "weight") -> float:
    """Newman modularity Q of the partition of the graph into its groups, on the undirected weighted graph.

    The graph is made undirected first, reciprocal edges u -> v and v -> u
    becoming one edge whose weight is their sum (networkx's
    ``to_undirected`` would keep only one of the two weights); self-loops
    are dropped. Nodes whose ``attribute`` is missing or "" are left out. Then
    with A the weighted adjacency, k_i the weighted degree and 2m = Σ_i k_i::

        Q = (1 / 2m) Σ_ij (A_ij - k_i k_j / 2m) δ(g_i, g_j)

    (newman2006modularity; resolution 1), computed by
    ``networkx.community.modularity``. ``weight=None`` counts each pair of
    authors once.

    Higher means: more of the edge weight falls within groups than expected
    from the degrees; 0 is no more than chance; the maximum is below 1
    (1 - 1/n_groups for equal, disconnected groups). NaN without edges.

    Caveats: the groups are given, not detected, so Q measures how well the
    given sides separate the network, not its best community structure; Q
    grows with the number of groups and is not comparable across networks
    of very different sizes.

    Reference: newman2006modularity.
    """
    sub = _undirected(_known_subgraph(graph, attribute), weight)
    if sub.number_of_edges() == 0:
        return float("nan")
    members: dict[str, set] = {}
    for v, grp in sub.nodes(data=attribute):
        members.setdefault(str(grp), set()).add(v)
    return float(nx.community.modularity(sub, list(members.values()), weight="weight"))


# ---------------------------------------------------------------- random walk controversy


def _node_key(node) -> tuple[str, str]:
    return (str(node), type(node).__name__)


def random_walk_probabilities(
    graph: nx.Graph,
    *,
    k: int = 10,
    groups: tuple[Hashable, Hashable] | None = None,
    attribute: str = "group",
    weight: str | None = "weight",
    method: str = "exact",
    n_walks: int = 10_000,
    max_steps: int = 10_000,
    seed: int = 0,
) -> dict:
    """The four end probabilities P_XX, P_XY, P_YX, P_YY of random walks between two groups, and RWC.

    See :func:`random_walk_controversy` for the definition and parameters.
    Returns a dict with ``rwc``, ``p_xx``, ``p_xy``, ``p_yx``, ``p_yy``,
    ``group_x``, ``group_y``, ``n_absorbing_x``/``_y`` (k or fewer),
    ``n_start_x``/``_y`` (non-absorbing nodes of each side),
    ``unabsorbed_x``/``_y`` (share of start nodes — for ``method="exact"`` —
    or of walks — for ``"simulate"`` — that never reach an absorbing node;
    they are left out of the probabilities), and ``method``.

    Higher means: as :func:`random_walk_controversy`.

    Reference: garimella2018quantifying.
    """
    k = int_arg("k", k, minimum=1)
    if method not in ("exact", "simulate"):
        raise bad_value("method", method, "'exact' or 'simulate'")
    known_groups = sorted({graph.nodes[v][attribute] for v in _known_nodes(graph, attribute)}, key=_node_key)
    if groups is None:
        if len(known_groups) != 2:
            raise ValueError(
                f"graph=<{graph.number_of_nodes()} nodes>: expected exactly two groups in node attribute "
                f"{attribute!r}, found {len(known_groups)} ({known_groups[:5]}); pass groups=(x, y) to choose two"
            )
        x_name, y_name = known_groups
    else:
        if len(groups) != 2 or groups[0] == groups[1] or any(g not in known_groups for g in groups):
            raise bad_value("groups", groups, f"two different groups of the graph, among {known_groups[:10]}")
        x_name, y_name = groups
    nodes = sorted((v for v, g in graph.nodes(data=attribute) if g in (x_name, y_name)), key=_node_key)
    und = _undirected(_subgraph(graph, nodes), weight)
    adjacency = sp.csr_array(nx.to_scipy_sparse_array(und, nodelist=nodes, weight="weight", format="csr"), dtype=float)
    side_y = np.array([graph.nodes[v][attribute] == y_name for v in nodes])
    degree = np.asarray(adjacency.sum(axis=1)).ravel()

    # the k highest-degree nodes of each side absorb; ties: node order (sorted names)
    absorbing = np.zeros(len(nodes), dtype=bool)
    counts = {}
    for name, on_side in (("x", ~side_y), ("y", side_y)):
        members = np.flatnonzero(on_side)
        top = members[np.argsort(-degree[members], kind="stable")[:k]]
        absorbing[top] = True
        counts[f"n_absorbing_{name}"] = len(top)
        counts[f"n_start_{name}"] = len(members) - len(top)
        if len(members) - len(top) == 0:
            raise ValueError(
                f"k={k}: side {x_name if name == 'x' else y_name!r} has only {len(members)} nodes, all absorbing; "
                "expected k below the size of each side"
            )

    if method == "exact":
        ends, reached = _absorption_exact(adjacency, degree, absorbing, side_y)
        start_x = ~absorbing & ~side_y
        start_y = ~absorbing & side_y
        p = {}
        for name, start in (("x", start_x), ("y", start_y)):
            ok = start & reached
            p[f"unabsorbed_{name}"] = 1.0 - ok.sum() / start.sum()
            p[f"p_{name}y"] = float(ends[ok].mean()) if ok.any() else float("nan")
    else:
        n_walks = int_arg("n_walks", n_walks, minimum=1)
        max_steps = int_arg("max_steps", max_steps, minimum=1)
        seed = int_arg("seed", seed, minimum=0)
        p = _absorption_simulated(
            adjacency, degree, absorbing, side_y, n_walks=n_walks, max_steps=max_steps, seed=seed
        )
    p_xy, p_yy = p["p_xy"], p["p_yy"]
    p_xx, p_yx = 1.0 - p_xy, 1.0 - p_yy
    return {
        "rwc": p_xx * p_yy - p_xy * p_yx,
        "p_xx": p_xx,
        "p_xy": p_xy,
        "p_yx": p_yx,
        "p_yy": p_yy,
        "group_x": x_name,
        "group_y": y_name,
        **counts,
        "unabsorbed_x": float(p["unabsorbed_x"]),
        "unabsorbed_y": float(p["unabsorbed_y"]),
        "method": method,
    }


def _absorption_exact(
    adjacency: sp.csr_array, degree: np.ndarray, absorbing: np.ndarray, side_y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per node: probability that a walk from it is absorbed on side Y, and whether it is absorbed at all.

    Nodes in a connected component with an absorbing node are absorbed with
    probability 1; for the transient ones among them, h = P(end in Y) solves
    the grounded-Laplacian system (D_T - A_TT) h = A_TY 1, which is symmetric
    positive definite there (see :func:`_solve_grounded`).
    """
    n = adjacency.shape[0]
    _, component = connected_components(adjacency, directed=False)
    has_absorber = np.zeros(component.max() + 1, dtype=bool)
    has_absorber[component[absorbing & (degree > 0)]] = True
    reached = has_absorber[component] & (degree > 0)
    ends = np.full(n, np.nan)
    ends[absorbing] = side_y[absorbing].astype(float)
    solve = np.flatnonzero(reached & ~absorbing)
    if len(solve):
        rows = adjacency[solve]
        system = (sp.diags_array(degree[solve]) - rows[:, solve]).tocsr()
        rhs = np.asarray(rows @ (absorbing & side_y).astype(float)).ravel()
        ends[solve] = np.clip(_solve_grounded(system, rhs, degree[solve]), 0.0, 1.0)
    return ends, reached


def _solve_grounded(system: sp.csr_array, rhs: np.ndarray, diagonal: np.ndarray) -> np.ndarray:
    """Solve the symmetric positive definite system (D_T - A_TT) h = b.

    Small systems (up to ``_DIRECT_MAX`` unknowns) by sparse LU; larger ones
    by conjugate gradients with the diagonal (Jacobi) preconditioner to a
    relative residual of ``_CG_RTOL`` — a direct factorisation of a large
    reply graph (hubs, short paths) fills in almost completely. Both are
    deterministic.
    """
    if system.shape[0] <= _DIRECT_MAX:
        return splu(system.tocsc()).solve(rhs)
    inverse = sp.diags_array(1.0 / diagonal)
    h, info = cg(system, rhs, rtol=_CG_RTOL, atol=0.0, maxiter=10 * system.shape[0], M=inverse)
    if info != 0:
        raise RuntimeError(
            f"conjugate gradients did not converge for the absorption probabilities (info={info}); "
            "try method='simulate'"
        )
    return h


def _absorption_simulated(
    adjacency: sp.csr_array,
    degree: np.ndarray,
    absorbing: np.ndarray,
    side_y: np.ndarray,
    *,
    n_walks: int,
    max_steps: int,
    seed: int,
) -> dict:
    """Monte Carlo version: ``n_walks`` walks per side from uniform non-absorbing start nodes, all stepped at once."""
    rng = np.random.default_rng(seed)
    indptr, indices = adjacency.indptr, adjacency.indices
    cumulative = np.cumsum(adjacency.data)
    before = np.concatenate([[0.0], cumulative])[indptr[:-1]]  # weight of all edges of earlier rows
    out = {}
    for name, start_side in (("x", ~side_y), ("y", side_y)):
        starts = np.flatnonzero(start_side & ~absorbing)
        position = starts[rng.integers(0, len(starts), size=n_walks)]
        active = np.arange(n_walks)
        end_y = np.zeros(n_walks, dtype=bool)
        ended = np.zeros(n_walks, dtype=bool)
        for _ in range(max_steps):
            active = active[degree[position[active]] > 0]  # stuck on an isolated node: never absorbed
            if len(active) == 0:
                break
            here = position[active]
            target = before[here] + rng.random(len(active)) * degree[here]
            edge = np.minimum(np.searchsorted(cumulative, target, side="right"), indptr[here + 1] - 1)
            there = indices[edge]
            position[active] = there
            done = absorbing[there]
            ended[active[done]] = True
            end_y[active[done]] = side_y[there[done]]
            active = active[~done]
        out[f"unabsorbed_{name}"] = 1.0 - ended.mean()
        out[f"p_{name}y"] = float(end_y[ended].mean()) if ended.any() else float("nan")
    return out


def random_walk_controversy(
    graph: nx.Graph,
    *,
    k: int = 10,
    groups: tuple[Hashable, Hashable] | None = None,
    attribute: str = "group",
    weight: str | None = "weight",
    method: str = "exact",
    n_walks: int = 10_000,
    max_steps: int = 10_000,
    seed: int = 0,
) -> float:
    """Random Walk Controversy: RWC = P_XX·P_YY - P_XY·P_YX, for random walks on the graph between two groups X and Y.

    Definition (garimella2018quantifying): the graph is taken as undirected
    (reciprocal edges summed, as in :func:`modularity`), on the nodes of the
    two groups only. On each side the ``k`` nodes of highest degree are
    "authoritative" and absorbing; a walk starts at a node drawn uniformly
    from the non-absorbing nodes of one side and moves to a neighbour with
    probability proportional to the edge weight, until it hits any absorbing
    node (of either side). P_AB is the probability that a walk started on
    side A ends on side B, so P_XX + P_XY = 1.

    Parameters: ``k`` (default 10; on small graphs use fewer: each side
    needs more than ``k`` nodes, else ValueError). ``weight``: the edge attribute for transition probabilities
    and for degree (the weighted degree, i.e. number of replies, chooses the
    authoritative nodes); ``None`` uses unweighted edges and the plain
    degree, as in the paper's unweighted graphs. Degree ties are broken by
    node order (sorted names), so the result is deterministic. ``groups``
    picks the two groups when the graph has more; without it the graph must
    have exactly two known groups in ``attribute`` (ValueError otherwise);
    nodes of other or unknown groups are removed with their edges.

    ``method="exact"`` (default) solves the absorbing Markov chain: with h
    the probability of ending on side Y, h = 1 on Y's and 0 on X's absorbing
    nodes and h = P h on the others, i.e. the sparse symmetric positive
    definite system (D_T - A_TT) h = A_TY 1 over the non-absorbing nodes
    (a grounded Laplacian): by sparse LU up to 2,000 unknowns, beyond that
    by Jacobi-preconditioned conjugate gradients to a relative residual of
    1e-12 (a direct factorisation of a large graph with hubs fills in
    almost completely; 50,000 nodes take about a second). Deterministic, no
    sampling error.
    ``method="simulate"`` runs ``n_walks`` walks per side (random, ``seed``),
    each stopped after ``max_steps`` steps, as in the paper; only for
    checking.

    Disconnected graphs: a walk that starts in a connected component without
    any absorbing node never ends (nor does one from an isolated node). Such
    walks are left out: P_XY is conditional on being absorbed (for
    ``exact``, the mean of h over the start nodes in components with an
    absorbing node). :func:`random_walk_probabilities` reports the share left
    out (``unabsorbed_x``/``_y``); if it is large, RWC describes only part of
    the graph.

    Higher means: more controversy — walks stay on their own side; 1 when
    the two sides are disconnected from each other; about 0 when a walk
    ends on either side alike; negative when walks tend to cross (e.g. a
    bipartite reply graph where everyone answers the other side). Range
    [-1, 1].

    Caveats: RWC depends on k and on the degree distribution (hubs absorb
    most walks); the paper's graphs are retweet/follow graphs, and reply
    graphs, where people answer opponents, can give low RWC for a
    polarised debate. Compare with :func:`assortativity` and
    :func:`cross_group_replies`.

    Reference: garimella2018quantifying.
    """
    return random_walk_probabilities(
        graph,
        k=k,
        groups=groups,
        attribute=attribute,
        weight=weight,
        method=method,
        n_walks=n_walks,
        max_steps=max_steps,
        seed=seed,
    )["rwc"]


def cross_share_baseline(pairs: pd.DataFrame, *, n_perm: int = 200, seed: int = 0, level: float = 0.95,
                         drop_self: bool = True, within: str | None = None) -> dict:
    """The share of cross-group replies when the authors' group labels are shuffled among the authors.

    The replies counted are those of :func:`cross_group_replies` (both groups
    known; self-replies left out with ``drop_self``). Each of ``n_perm``
    permutations (``np.random.default_rng(seed)``) shuffles the labels of
    the distinct authors taking part (each author keeps one label wherever
    they appear; group sizes fixed) and recomputes the cross share. Returns
    ``observed``, ``baseline_mean``, ``baseline_low``, ``baseline_high``
    (percentile interval at ``level``), ``p_low`` and ``p_high`` (one-sided
    permutation p-values for fewer and for more crossing than shuffled
    labels, (1 + #{permuted <= or >= observed}) / (n_perm + 1)), ``n_perm``.

    Higher means: a baseline is the crossing expected when who is in which
    group is unrelated to who answers whom (the reply structure kept); an
    observed share below it is homophily, above it heterophily. Unlike the
    ``expected_share`` of :func:`cross_group_replies` (random mixing of the
    replies' marginals), it keeps each author's replies together.

    Caveats: an author whose label differs between replies (no single
    group) takes the label of their first reply. With ``within`` (a column
    of ``pairs``, e.g. the stratum), labels are shuffled only among the
    authors of the same value (an author's value: that of their first
    reply). Cost O(n_perm x replies).

    References: good2005permutation, newman2003mixing.
    """
    _check_pairs(pairs)
    n_perm = int_arg("n_perm", n_perm, minimum=1)
    seed = int_arg("seed", seed, minimum=0)
    level = level_arg(level)
    rows = _between_known_groups(pairs, drop_self=drop_self)
    authors = pd.concat([rows["child_author"], rows["parent_author"]], ignore_index=True).astype(str)
    groups = pd.concat([rows["child_group"], rows["parent_group"]], ignore_index=True).astype(str)
    code, uniques = pd.factorize(authors)
    label = pd.Series(groups.to_numpy()).groupby(code).first().to_numpy()
    if within is None:
        blocks = [np.arange(len(label))]
    else:
        block = pd.Series(np.tile(rows[within].astype(str).to_numpy(), 2)).groupby(code).first().to_numpy()
        blocks = [np.flatnonzero(block == v) for v in np.unique(block)]
    n = len(rows)
    child, parent = code[:n], code[n:]
    observed = float(np.mean(label[child] != label[parent]))
    rng = np.random.default_rng(seed)
    perm = np.empty(n_perm)
    for b in range(n_perm):
        shuffled = label.copy()
        for idx in blocks:
            shuffled[idx] = label[rng.permutation(idx)]
        perm[b] = np.mean(shuffled[child] != shuffled[parent])
    low, high = percentile_interval(perm, level)
    tol = 1e-12
    return {"observed": observed, "baseline_mean": float(perm.mean()), "baseline_low": low, "baseline_high": high,
            "p_low": (1.0 + float((perm <= observed + tol).sum())) / (n_perm + 1.0),
            "p_high": (1.0 + float((perm >= observed - tol).sum())) / (n_perm + 1.0), "n_perm": n_perm}
