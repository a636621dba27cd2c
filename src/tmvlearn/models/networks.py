"""Queries over the biogenesis pathway and the immune-interaction data (networkx).

The ``biogenesis`` dataset lists the steps of microvesicle shedding as edges
(source -> target, with an ``effect``: activates, inhibits or leads to) ending in
one sink, "MV shedding" (Zhu et al. 2021, section "The Biogenesis of MVs").
Reachability for "what is lost" follows only the positive edges (activates,
leads to): an inhibitory edge does not carry a signal forward.

>>> graph = biogenesis_graph()
>>> lost_if_inhibited("ARF6", graph)  # block ARF6: these steps are no longer reached
['ARF6', 'ERK', 'PLD']
>>> SINK in lost_if_inhibited("ARF6", graph)  # other routes still lead to shedding
False
"""

from __future__ import annotations

import difflib

import networkx as nx
import pandas as pd

from tmvlearn.errors import TmvlearnError

__all__ = [
    "NetworkError", "SINK", "POSITIVE_EFFECTS", "biogenesis_graph", "check_node", "triggers", "downstream",
    "upstream", "lost_if_inhibited", "immune_interactions", "immune_graph", "consequence_counts",
]

SINK = "MV shedding"
POSITIVE_EFFECTS = ("activates", "leads to")


class NetworkError(TmvlearnError, ValueError):
    """An unknown node, cell type or consequence was asked for."""


def biogenesis_graph(edges: pd.DataFrame | None = None) -> nx.DiGraph:
    """The biogenesis pathway as a directed graph; edge attributes effect, route, refs, note.

    >>> graph = biogenesis_graph()
    >>> graph.number_of_nodes(), graph.number_of_edges()
    (22, 29)
    >>> graph.edges["RhoA", "ROCK"]["effect"]
    'activates'
    """
    if edges is None:
        from tmvlearn.datasets import load_dataset

        edges = load_dataset("biogenesis")
    graph = nx.DiGraph()
    for row in edges.itertuples(index=False):
        attrs = {k: (None if pd.isna(getattr(row, k, None)) else str(getattr(row, k)))
                 for k in ("effect", "route", "refs", "note")}
        graph.add_edge(str(row.source), str(row.target), **attrs)
    return graph


def _positive(graph: nx.DiGraph) -> nx.DiGraph:
    keep = [(u, v) for u, v, e in graph.edges(data="effect") if e in POSITIVE_EFFECTS]
    sub = nx.DiGraph()
    sub.add_nodes_from(graph.nodes)
    sub.add_edges_from(keep)
    return sub


def check_node(graph: nx.DiGraph, node: str, what: str = "the biogenesis graph") -> str:
    """``node`` as the graph spells it (case-insensitive match), or :class:`NetworkError`.

    The error names the closest nodes and lists them all.

    >>> graph = biogenesis_graph()
    >>> check_node(graph, "arf6")
    'ARF6'
    >>> check_node(graph, "ARF66")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tmvlearn.models.networks.NetworkError: unknown node 'ARF66' in the biogenesis graph. Close matches: ...
    """
    if node in graph:
        return node
    names = {str(n).lower(): n for n in graph.nodes}
    if isinstance(node, str) and node.lower() in names:
        return names[node.lower()]
    close = difflib.get_close_matches(str(node).lower(), list(names), n=3, cutoff=0.4)
    hint = f" Close matches: {', '.join(repr(names[c]) for c in close)}." if close else ""
    raise NetworkError(f"unknown node {node!r} in {what}.{hint} "
                       f"All nodes: {', '.join(sorted(map(str, graph.nodes)))}.")


def triggers(graph: nx.DiGraph | None = None) -> list[str]:
    """Upstream starting points: nodes no positive edge leads into, sorted.

    >>> triggers()
    ['ARF6-GDP', 'ER Ca2+ release', 'PKC', 'RhoA', 'hypoxia', 'intracellular Ca2+']
    """
    graph = biogenesis_graph() if graph is None else graph
    pos = _positive(graph)
    return sorted(n for n in pos.nodes if pos.in_degree(n) == 0 and pos.out_degree(n) > 0)


def downstream(node: str, graph: nx.DiGraph | None = None, positive_only: bool = False) -> list[str]:
    """Every node reachable from ``node`` (all edges, or positive ones only), sorted.

    >>> downstream("ARF6")
    ['ERK', 'MLC phosphorylation', 'MLCK', 'MV shedding', 'PLD', 'actomyosin contraction']
    """
    graph = biogenesis_graph() if graph is None else graph
    node = check_node(graph, node)
    return sorted(nx.descendants(_positive(graph) if positive_only else graph, node))


def upstream(node: str, graph: nx.DiGraph | None = None) -> list[str]:
    """Every node from which ``node`` can be reached (all edges), sorted.

    >>> upstream("ARF6")
    ['RhoA']
    """
    graph = biogenesis_graph() if graph is None else graph
    node = check_node(graph, node)
    return sorted(nx.ancestors(graph, node))


def lost_if_inhibited(node: str, graph: nx.DiGraph | None = None) -> list[str]:
    """Steps no longer reached from the triggers along positive edges when ``node`` is blocked.

    The blocked node itself is included. A step fed by another intact route is not lost.

    >>> lost_if_inhibited("ARF6")
    ['ARF6', 'ERK', 'PLD']
    """
    graph = biogenesis_graph() if graph is None else graph
    node = check_node(graph, node)
    pos = _positive(graph)
    starts = [n for n in pos.nodes if pos.in_degree(n) == 0]

    def reached(g: nx.DiGraph) -> set[str]:
        seen = set()
        for s in starts:
            if s in g:
                seen |= {s} | nx.descendants(g, s)
        return seen

    before = reached(pos)
    blocked = pos.copy()
    blocked.remove_node(node)
    return sorted((before - reached(blocked)) | {node})


# --- immune interactions --------------------------------------------------------------

def immune_interactions(
    target_cell: str | None = None,
    consequence: str | None = None,
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rows of ``immune_interactions`` for one immune cell type and/or tumor consequence.

    ``None`` means no filter. Unknown values raise :class:`NetworkError` listing the valid ones.

    >>> nk = immune_interactions(target_cell="NK cell")
    >>> len(nk), set(nk["tumor_consequence"])
    (5, {'pro-tumor'})
    """
    if table is None:
        from tmvlearn.datasets import load_dataset

        table = load_dataset("immune_interactions")
    out = table
    for col, value in (("target_cell", target_cell), ("tumor_consequence", consequence)):
        if value is None:
            continue
        column = table[col]
        allowed = list(column.cat.categories) if hasattr(column, "cat") else sorted(column.unique())
        if value not in allowed:
            close = difflib.get_close_matches(str(value), allowed, n=2, cutoff=0.4)
            hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
            raise NetworkError(f"unknown {col} {value!r}.{hint} Choose one of: {', '.join(allowed)}.")
        out = out[out[col] == value]
    return out.reset_index(drop=True)


def immune_graph(table: pd.DataFrame | None = None) -> nx.DiGraph:
    """mediator -> immune cell -> tumor consequence, one edge pair per interaction row.

    Nodes carry ``layer`` ('mediator', 'cell', 'consequence'); edges carry the row ids.

    >>> graph = immune_graph()
    >>> sorted(label for layer, label in graph if layer == "consequence")
    ['anti-tumor', 'context-dependent', 'pro-tumor']
    """
    table = immune_interactions(table=table)
    graph = nx.DiGraph()
    for row in table.itertuples(index=False):
        m, c, q = str(row.mediator), str(row.target_cell), str(row.tumor_consequence)
        graph.add_node(("mediator", m), layer="mediator", label=m)
        graph.add_node(("cell", c), layer="cell", label=c)
        graph.add_node(("consequence", q), layer="consequence", label=q)
        for u, v in ((("mediator", m), ("cell", c)), (("cell", c), ("consequence", q))):
            ids = graph.edges[u, v]["ids"] if graph.has_edge(u, v) else []
            graph.add_edge(u, v, ids=ids + [int(row.id)])
    return graph


def consequence_counts(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Number of interactions per immune cell type and tumor consequence (a cross-table).

    >>> counts = consequence_counts()
    >>> counts.loc["dendritic cell"].to_dict()
    {'pro-tumor': 0, 'anti-tumor': 3, 'context-dependent': 1}
    """
    table = immune_interactions(table=table)
    return pd.crosstab(table["target_cell"].astype(str), table["tumor_consequence"]).rename_axis(
        index="target_cell", columns="tumor_consequence")
