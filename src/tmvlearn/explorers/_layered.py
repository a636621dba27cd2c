"""A layered (Sugiyama) drawing of a directed graph whose nodes are text labels.

The nodes are put into layers and ordered within each layer to reduce edge crossings by grandalf's
Sugiyama layout (a pure-Python library: nothing to install beside the package). This module then
places the label boxes itself and routes every edge so that it never crosses a label:

- each layer is a band (a row top-to-bottom, or a column left-to-right) as deep as its deepest
  label, and nothing but edges lives in the gaps between bands;
- an edge leaves its source box through a port on the side facing the next band, runs straight
  across the rest of the band (inside its own box's span), crosses each gap as an S-shaped cubic
  Bezier curve (whose control points all lie in the gap, so the curve does too), and passes any
  band it skips at the slot of a "dummy" node the layout reserved for it;
- within a band boxes never overlap: they are placed at their neighbours' barycentre, then a sweep
  keeps them apart.

Coordinates are pixels of the figure, y growing downwards (the drawing axes are inverted to match),
so label sizes measured with the renderer can be used as they are.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Box", "LayeredLayout", "layered_layout", "measure_labels", "route_path"]


@dataclass(frozen=True)
class Box:
    """A label's box in layout pixels (y down)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class LayeredLayout:
    """Boxes by node, each edge's route (a list of cubic Bezier pieces), the bands and the size."""

    boxes: dict[Hashable, Box]
    routes: dict[tuple[Hashable, Hashable], list[tuple[str, list[tuple[float, float]]]]]
    layers: list[list[Hashable]]
    bands: list[tuple[float, float]]  # (start, end) of each layer band along the flow
    width: float
    height: float
    direction: str = "TB"
    extra: dict[str, Any] = field(default_factory=dict)


def _rank_and_order(nodes: list, edges: list[tuple], fixed_layers: dict | None):
    """Layers (lists of nodes and dummy keys, in crossing-reduced order) and each edge's dummy chain."""
    from grandalf.graphs import Edge, Vertex, graph_core
    from grandalf.layouts import SugiyamaLayout

    class _View:
        w, h, xy = 10.0, 10.0, (0.0, 0.0)

    vertices = {n: Vertex(n) for n in nodes}
    for v in vertices.values():
        v.view = _View()
    gedges = {(u, v): Edge(vertices[u], vertices[v]) for u, v in edges}
    # connected parts found here, in node order: grandalf's own Graph keeps a part's edges in a set,
    # whose order (by memory address) would change the layout from one run to the next
    index = {n: i for i, n in enumerate(nodes)}
    groups: dict = {n: [n] for n in nodes}
    owner = {n: n for n in nodes}
    for u, v in edges:
        a, b = owner[u], owner[v]
        if a != b:
            keep, gone = (a, b) if index[a] < index[b] else (b, a)
            for m in groups[gone]:
                owner[m] = keep
            groups[keep] += groups.pop(gone)
    components = []
    for root, members in groups.items():
        members = sorted(members, key=index.__getitem__)
        inside = [gedges[e] for e in edges if owner[e[0]] == root]
        components.append(graph_core([vertices[m] for m in members], inside))
    layers: list[list] = []
    chains: dict[tuple, list] = {}
    for component in components:  # each connected part on its own, side by side
        sug = SugiyamaLayout(component)
        roots = [v for v in component.sV if not v.e_in()]
        if fixed_layers:
            roots = [v for v in component.sV if fixed_layers[v.data] == 0]
        sug.init_all(roots=roots, inverted_edges=[], optimize=not fixed_layers)
        for _ in range(12):  # sweeps down and up until no layer changes
            moved = sum(m for _, m in sug.ordering_step())
            if not moved:
                break
        names = {}
        for r, layer in enumerate(sug.layers):
            while len(layers) <= r:
                layers.append([])
            for v in layer:
                key = v.data if hasattr(v, "data") else ("__dummy__", len(names))  # dummy: a long edge's
                names[v] = key
                layers[r].append(key)
        for (u, v), e in gedges.items():
            if e in sug.ctrls:
                ctrl = sug.ctrls[e]
                chains[(u, v)] = [names[ctrl[r]] for r in sorted(ctrl)][1:-1]
    return layers, chains


def layered_layout(nodes: list, edges: list[tuple], sizes: dict, *, direction: str = "TB",
                   layer_gap: float = 40.0, node_gap: float = 14.0, dummy_width: float = 8.0,
                   align: dict[int, str] | None = None, fixed_layers: dict | None = None,
                   port_share: float = 0.7) -> LayeredLayout:
    """Lay out ``nodes`` and ``edges`` (pairs) with label boxes of ``sizes[node] = (w, h)`` pixels.

    ``direction`` "TB" puts the layers in rows from the top, "LR" in columns from the left.
    ``align`` maps a layer index to "start", "center" or "end": where boxes sit in their band
    (for LR, "end" right-aligns a column of labels). ``fixed_layers`` maps every node to its layer
    (nodes of layer 0 are the roots); by default a node's layer is the longest path to it from a
    source, and sources are then pulled down next to their targets (grandalf's rank optimisation),
    so that a trigger sits just above the step it starts.
    """
    if direction not in ("TB", "LR"):
        raise ValueError(f"direction must be 'TB' or 'LR' (got {direction!r}).")
    nodes = list(nodes)
    edges = list(dict.fromkeys(edges))
    layers, chains = _rank_and_order(nodes, edges, fixed_layers)
    align = align or {}

    def across(node):  # box extent across the flow (along the layer) and along the flow
        if isinstance(node, tuple) and node[:1] == ("__dummy__",):
            return dummy_width, 0.0
        w, h = sizes[node]
        return (w, h) if direction == "TB" else (h, w)

    # positions along the layer: mean of the neighbours' positions, then kept apart by a sweep
    pos: dict = {}
    for layer in layers:
        x = 0.0
        for node in layer:
            a, _ = across(node)
            pos[node] = x + a / 2
            x += a + node_gap
    neighbours_up: dict = {n: [] for layer in layers for n in layer}
    neighbours_down: dict = {n: [] for layer in layers for n in layer}
    for (u, v) in edges:
        chain = [u, *chains.get((u, v), []), v]
        for a, b in zip(chain, chain[1:], strict=False):
            neighbours_down[a].append(b)
            neighbours_up[b].append(a)

    def separate(layer):
        # keep order; push apart to the minimum gap, then centre each overlapping run on its wish
        wish = [pos[n] for n in layer]
        sizes_ = [across(n)[0] for n in layer]
        placed = list(wish)
        for _ in range(len(layer) + 1):
            changed = False
            for i in range(1, len(layer)):
                need = (sizes_[i - 1] + sizes_[i]) / 2 + node_gap
                if placed[i] - placed[i - 1] < need - 1e-9:
                    # move both halves apart around their midpoint
                    shift = (need - (placed[i] - placed[i - 1])) / 2
                    placed[i - 1] -= shift
                    placed[i] += shift
                    changed = True
            if not changed:
                break
        # a final left-to-right sweep guarantees the gaps whatever the balancing did
        for i in range(1, len(layer)):
            need = (sizes_[i - 1] + sizes_[i]) / 2 + node_gap
            placed[i] = max(placed[i], placed[i - 1] + need)
        for n, p in zip(layer, placed, strict=True):
            pos[n] = p

    # priority placement: the widest layer stays packed; the others follow their neighbours'
    # barycentres outwards from it, then both neighbours, each pass keeping boxes apart
    def extent(layer):
        return sum(across(n)[0] for n in layer) + node_gap * (len(layer) - 1)

    widest = max(range(len(layers)), key=lambda r: (extent(layers[r]), -r))

    def place(layer, nbrs_of):
        for n in layer:
            nbrs = nbrs_of(n)
            if nbrs:
                pos[n] = sum(pos[m] for m in nbrs) / len(nbrs)
        separate(layer)

    for _ in range(3):
        for r in range(widest + 1, len(layers)):
            place(layers[r], lambda n: neighbours_up[n])
        for r in range(widest - 1, -1, -1):
            place(layers[r], lambda n: neighbours_down[n])
    for _ in range(2):
        for r in [*range(widest + 1, len(layers)), *range(widest - 1, -1, -1)]:
            place(layers[r], lambda n: neighbours_up[n] + neighbours_down[n])
    lo = min(pos[n] - across(n)[0] / 2 for layer in layers for n in layer)
    for n in pos:
        pos[n] -= lo
    extent_across = max(pos[n] + across(n)[0] / 2 for layer in layers for n in layer)

    # bands along the flow
    bands = []
    t = 0.0
    for layer in layers:
        depth = max(across(n)[1] for n in layer)
        bands.append((t, t + depth))
        t += depth + layer_gap
    extent_along = t - layer_gap

    boxes: dict = {}
    for r, layer in enumerate(layers):
        b0, b1 = bands[r]
        where = align.get(r, "center")
        for n in layer:
            if isinstance(n, tuple) and n[:1] == ("__dummy__",):
                continue
            a, d = across(n)
            s0 = {"start": b0, "center": (b0 + b1 - d) / 2, "end": b1 - d}[where]
            c0, c1 = pos[n] - a / 2, pos[n] + a / 2
            boxes[n] = Box(c0, s0, c1, s0 + d) if direction == "TB" else Box(s0, c0, s0 + d, c1)

    rank = {n: r for r, layer in enumerate(layers) for n in layer}

    def box_span(n):  # (start, end) of a box along the layer
        b = boxes[n]
        return (b.x0, b.x1) if direction == "TB" else (b.y0, b.y1)

    def box_flow(n):  # (start, end) of a box along the flow
        b = boxes[n]
        return (b.y0, b.y1) if direction == "TB" else (b.x0, b.x1)

    # ports: out-edges on the far side, in-edges on the near side, spread in the order of the
    # other end so that edges leaving one box do not cross each other
    def next_hop(u, v):
        chain = chains.get((u, v), [])
        return chain[0] if chain else v

    def prev_hop(u, v):
        chain = chains.get((u, v), [])
        return chain[-1] if chain else u

    def spread(n, items):
        s0, s1 = box_span(n)
        width = (s1 - s0) * port_share
        mid = (s0 + s1) / 2
        k = len(items)
        return {item: mid + (i - (k - 1) / 2) * (width / max(k - 1, 1)) if k > 1 else mid
                for i, item in enumerate(items)}

    out_port, in_port = {}, {}
    for n in boxes:
        outs = sorted((e for e in edges if e[0] == n), key=lambda e: (pos[next_hop(*e)], pos[e[1]]))
        ins = sorted((e for e in edges if e[1] == n), key=lambda e: (pos[prev_hop(*e)], pos[e[0]]))
        out_port.update({(e, "out"): p for e, p in spread(n, outs).items()})
        in_port.update({(e, "in"): p for e, p in spread(n, ins).items()})

    def point(a, f):  # (across, along) -> (x, y)
        return (a, f) if direction == "TB" else (f, a)

    routes = {}
    for e in edges:
        u, v = e
        stops = [(out_port[(e, "out")], rank[u])]
        stops += [(pos[d], rank[d]) for d in chains.get(e, [])]
        stops += [(in_port[(e, "in")], rank[v])]
        pieces: list[tuple[str, list]] = []
        a0 = stops[0][0]
        f = box_flow(u)[1]
        band_end = bands[rank[u]][1]
        if band_end > f:
            pieces.append(("line", [point(a0, f), point(a0, band_end)]))
        f = band_end
        for i, (a1, r1) in enumerate(stops[1:], 1):
            start = bands[r1][0]
            mid = (f + start) / 2
            pieces.append(("curve", [point(a0, f), point(a0, mid), point(a1, mid), point(a1, start)]))
            if i < len(stops) - 1:  # a dummy: straight through the band it skips
                pieces.append(("line", [point(a1, start), point(a1, bands[r1][1])]))
                f = bands[r1][1]
            else:
                end = box_flow(v)[0]
                if end > start:
                    pieces.append(("line", [point(a1, start), point(a1, end)]))
            a0 = a1
        routes[e] = pieces

    width, height = (extent_across, extent_along) if direction == "TB" else (extent_along, extent_across)
    real_layers = [[n for n in layer if n in boxes] for layer in layers]
    return LayeredLayout(boxes, routes, real_layers, bands, width, height, direction)


def measure_labels(labels: dict, fontsize: float, *, pad=(8.0, 6.0), linespacing: float = 1.1,
                   **text_kw) -> dict:
    """Size (width, height) in layout (CSS) pixels of each label as the package style renders it, plus
    ``pad``."""
    from tmvlearn.plots import DPI, pixel_figure, plot_style

    fig, ax = pixel_figure(100, 100)
    scale = fig.dpi / DPI  # the figure is drawn at DENSITY image pixels per layout pixel
    with plot_style():
        renderer = fig.canvas.get_renderer()
        sizes = {}
        for key, label in labels.items():
            text = ax.text(0, 0, label, fontsize=fontsize, linespacing=linespacing, **text_kw)
            box = text.get_window_extent(renderer)
            text.remove()
            sizes[key] = (box.width / scale + pad[0], box.height / scale + pad[1])
    return sizes


def route_path(pieces, offset=(0.0, 0.0)):
    """A matplotlib Path through the route's pieces, shifted by ``offset`` (data = pixels)."""
    from matplotlib.path import Path

    dx, dy = offset
    verts, codes = [], []
    for kind, pts in pieces:
        pts = [(x + dx, y + dy) for x, y in pts]
        if not verts:
            verts.append(pts[0])
            codes.append(Path.MOVETO)
        if kind == "line":
            verts.append(pts[1])
            codes.append(Path.LINETO)
        else:
            verts += pts[1:]
            codes += [Path.CURVE4] * 3
    return Path(verts, codes)
