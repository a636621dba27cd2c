"""Pathway and interaction queries, on a hand-made graph and on the curated data."""

import pandas as pd
import pytest

from tmvlearn.models import networks as nw


@pytest.fixture
def toy():
    edges = pd.DataFrame({
        "source": ["A", "B", "A", "C", "X"],
        "target": ["B", "MV shedding", "C", "MV shedding", "MV shedding"],
        "effect": ["activates", "leads to", "activates", "leads to", "inhibits"],
        "route": ["calcium"] * 5, "refs": [None] * 5, "note": [None] * 5,
    })
    return nw.biogenesis_graph(edges)


def test_lost_if_inhibited_follows_positive_edges(toy):
    assert nw.lost_if_inhibited("B", toy) == ["B"]  # shedding still reached through C
    assert nw.lost_if_inhibited("A", toy) == ["A", "B", "C", "MV shedding"]
    assert nw.lost_if_inhibited("X", toy) == ["X"]  # blocking an inhibitor loses nothing else
    assert nw.downstream("A", toy) == ["B", "C", "MV shedding"]
    assert nw.triggers(toy) == ["A"]


def test_unknown_node_lists_close_matches(toy):
    with pytest.raises(nw.NetworkError, match="Close matches: 'MV shedding'"):
        nw.downstream("MV sheding", toy)
    assert nw.downstream("a", toy) == ["B", "C", "MV shedding"]  # case-insensitive


def test_curated_biogenesis_pathway():
    graph = nw.biogenesis_graph()
    assert nw.SINK in graph and graph.out_degree(nw.SINK) == 0
    assert nw.SINK in nw.downstream("ARF6", graph)
    assert {"PLD", "ERK"} <= set(nw.lost_if_inhibited("ARF6", graph))
    with pytest.raises(nw.NetworkError, match="ARF6"):
        nw.lost_if_inhibited("ARF-6", graph)


def test_immune_queries():
    table = nw.immune_interactions()
    anti = nw.immune_interactions(consequence="anti-tumor")
    assert len(anti) and set(anti["tumor_consequence"]) == {"anti-tumor"}
    nk = nw.immune_interactions(target_cell="NK cell", consequence="pro-tumor")
    assert len(nk) and set(nk["target_cell"]) == {"NK cell"}
    counts = nw.consequence_counts()
    assert counts.to_numpy().sum() == len(table)
    graph = nw.immune_graph()
    assert ("cell", "macrophage") in graph and ("consequence", "pro-tumor") in graph
    with pytest.raises(nw.NetworkError, match="Did you mean 'pro-tumor'"):
        nw.immune_interactions(consequence="pro tumor")
