"""The reply-network figure: the speakers and links it draws, counted with pandas/numpy, against the row-by-row
networkx graph it replaced; a drawing that does not depend on the hash seed; figures drawn in forked processes.
"""

import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis import figures  # noqa: E402
from analysis.figure_registry import FIGURES, caption_file  # noqa: E402


def random_edges(n_speakers: int, n_rows: int, seed: int) -> pd.DataFrame:
    """A reply table with self-replies, both directions of a pair, repeated pairs, missing groups and a speaker
    whose group differs between rows (the last row's group wins)."""
    rng = np.random.default_rng(seed)
    names = [f"s{i:03d}" for i in range(n_speakers)]
    child = rng.choice(names, n_rows)
    parent = np.where(rng.random(n_rows) < 0.05, child, rng.choice(names, n_rows))  # about 5% self-replies
    group = {n: rng.choice(["L", "R", None]) for n in names}
    rows = pd.DataFrame({"child_author": child, "parent_author": parent,
                         "child_group": [group[c] for c in child], "parent_group": [group[p] for p in parent],
                         "replies": rng.integers(1, 4, n_rows)})
    rows.loc[rows.index[-1], ["child_group", "parent_group"]] = ["X", "Y"]  # a last row that overrides both groups
    return rows


def row_by_row(edges: pd.DataFrame, max_nodes: int) -> nx.Graph:
    """The graph as the figure built it before (one add_edge per row), keeping the most active speakers in the
    order the full graph holds them."""
    G = nx.Graph()
    for r in edges.itertuples():
        if r.child_author != r.parent_author:
            G.add_edge(r.child_author, r.parent_author,
                       weight=G.get_edge_data(r.child_author, r.parent_author, {"weight": 0})["weight"] + r.replies)
            G.nodes[r.child_author]["group"], G.nodes[r.parent_author]["group"] = r.child_group, r.parent_group
    if G.number_of_nodes() > max_nodes:
        keep = {n for n, _ in sorted(G.degree(weight="weight"), key=lambda d: (-d[1], str(d[0])))[:max_nodes]}
        H = nx.Graph()
        H.add_nodes_from((n, G.nodes[n]) for n in G if n in keep)
        H.add_weighted_edges_from((u, v, d["weight"]) for u, v, d in G.edges(data=True) if u in keep and v in keep)
        G = H
    return G


def as_drawn(nodes: pd.DataFrame, links: pd.DataFrame) -> nx.Graph:
    """The graph the figure builds from :func:`figures.network_to_draw`."""
    G = nx.Graph()
    G.add_nodes_from(nodes["speaker"])
    G.add_weighted_edges_from(zip(links["u"], links["v"], links["weight"].tolist()))
    return G


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_all_speakers_same_graph_as_row_by_row(seed):
    edges = random_edges(40, 300, seed)
    nodes, links = figures.network_to_draw(edges, max_nodes=400)
    old, new = row_by_row(edges, 400), as_drawn(nodes, links)
    assert list(new.nodes) == list(old.nodes)  # the same order: the same spring layout
    assert list(new.edges(data="weight")) == list(old.edges(data="weight"))  # the same order: the same drawing
    assert [str(g) for g in nodes["group"]] == [str(old.nodes[n].get("group")) for n in old.nodes]
    assert nodes["activity"].tolist() == [old.degree(n, weight="weight") for n in old.nodes]


@pytest.mark.parametrize("seed", [4, 5])
def test_most_active_speakers_and_their_links(seed):
    edges = random_edges(120, 400, seed)
    nodes, links = figures.network_to_draw(edges, max_nodes=25)
    old = row_by_row(edges, 25)
    assert len(nodes) == 25 and list(nodes["speaker"]) == list(old.nodes)
    assert {frozenset((u, v)): w for u, v, w in zip(links["u"], links["v"], links["weight"])} == \
        {frozenset((u, v)): w for u, v, w in old.edges(data="weight")}
    assert [str(g) for g in nodes["group"]] == [str(old.nodes[n].get("group")) for n in old.nodes]


def test_worked_by_hand():
    edges = pd.DataFrame({
        "child_author": ["a", "b", "a", "c", "d", "e"],
        "parent_author": ["b", "a", "a", "a", "c", "d"],
        "child_group": ["L", "R", "L", "L", np.nan, "R"],
        "parent_group": ["R", "L", "L", "L", "L", np.nan],
        "replies": [2, 1, 5, 1, 1, 4],
    })
    # a-a (5) is a self-reply. Links: a-b 2+1 = 3, c-a 1, d-c 1, e-d 4.
    # Activity: a 3+1 = 4, b 3, c 1+1 = 2, d 1+4 = 5, e 4. Groups from the last row naming each:
    # a: L (row 4, parent), b: R (row 2, child), c: L (row 5, parent), d: missing (row 6, parent), e: R.
    nodes, links = figures.network_to_draw(edges, max_nodes=10)
    assert nodes["speaker"].tolist() == ["a", "b", "c", "d", "e"]
    assert nodes["activity"].tolist() == [4, 3, 2, 5, 4]
    assert [str(g) for g in nodes["group"]] == ["L", "R", "L", "nan", "R"]
    assert list(zip(links["u"], links["v"], links["weight"])) == [("a", "b", 3), ("c", "a", 1), ("d", "c", 1),
                                                                  ("e", "d", 4)]
    # The three most active: d 5, then a and e (4, ties by name), not b (3) or c (2); only e-d joins two of them.
    nodes, links = figures.network_to_draw(edges, max_nodes=3)
    assert nodes["speaker"].tolist() == ["a", "d", "e"]
    assert list(zip(links["u"], links["v"], links["weight"])) == [("e", "d", 4)]


def test_no_links():
    nodes, links = figures.network_to_draw(pd.DataFrame())
    assert nodes.empty and links.empty
    self_only = pd.DataFrame({"child_author": ["a"], "parent_author": ["a"], "child_group": ["L"],
                              "parent_group": ["L"],
                              "replies": [3]})
    nodes, links = figures.network_to_draw(self_only)
    assert nodes.empty and links.empty


def test_reply_network_drawing_does_not_depend_on_hash_seed(tmp_path):
    """Keeping 400 of 1,000 speakers, networkx's subgraph ordered them by a set (so the layout changed with
    PYTHONHASHSEED); the figure now gives the same bytes under any seed."""
    random_edges(1000, 3000, 7).to_csv(tmp_path / "edges.csv", index=False)
    code = (
        "import sys, pandas as pd\n"
        "from analysis import figures, io\n"
        "figures.reply_network(sys.argv[2], edges=io.read_csv(sys.argv[1]), incivility=pd.DataFrame(),\n"
        "                      network=pd.DataFrame(), dictionaries='', seed=1)\n"
    )
    pngs = []
    for hashseed in ("1", "2"):
        stem = tmp_path / f"net{hashseed}"
        subprocess.run([sys.executable, "-c", code, str(tmp_path / "edges.csv"), str(stem)], check=True,
                       env={**os.environ, "PYTHONHASHSEED": hashseed})
        pngs.append((stem.with_suffix(".png")).read_bytes())
    assert pngs[0] == pngs[1]


def test_draw_in_forked_processes_writes_the_files_of_one_process(tmp_path):
    """figures.draw shares the figures among forked processes: every file has the bytes drawn in one process."""
    depth = pd.DataFrame({"depth": [1, 2, 3, 4], "n_comments": [40, 12, 5, 1]})
    deep = pd.DataFrame({"depth": list(range(1, 31)), "n_comments": [2 ** (30 - d) for d in range(1, 31)]})

    def tasks(folder):
        return {name: (lambda name=name, table=table: figures.comments_per_depth(folder / name, depth=table))
                for name, table in (("shallow", depth), ("deep", deep), ("again", depth))}

    one = figures.draw(tasks(tmp_path / "one"), processes=1)
    many = figures.draw(tasks(tmp_path / "many"), processes=2)
    assert list(many) == ["shallow", "deep", "again"] and many == one
    written = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert len(written) == 15  # three figures, five files each
    assert written == sorted(p.name for p in (tmp_path / "many").iterdir())
    for name in written:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "many" / name).read_bytes(), name


def test_the_registry_names_a_function_a_caption_and_a_place_in_the_book_for_every_figure():
    """analysis.figure_registry.FIGURES is the one list of figures: each id is drawn by the function of that name, has
    its caption file, is placed on exactly one book page, and no page places a figure that is not in it."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    placed = [m for page in sorted((root / "book").glob("*.md"))
              for m in re.findall(r"^<!-- figure: (\w+) -->$", page.read_text(encoding="utf-8"), re.MULTILINE)]
    assert sorted(placed) == sorted(FIGURES)
    for name, fig in FIGURES.items():
        assert callable(getattr(figures, name)), name
        assert (root / caption_file(name)).read_text(encoding="utf-8").strip(), name
        assert fig.width.endswith("%") and fig.title and fig.alt
        if fig.rule == "figures":  # drawn by the figures rule: it says what it reads and how
            assert fig.read is not None and fig.inputs, name
            assert all(isinstance(spec, (str, tuple)) for spec in fig.inputs.values())
    assert [f.rule for f in FIGURES.values()].count("figures") == 11
