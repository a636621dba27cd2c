"""Biogenesis pathway explorer: block one step of MV shedding and see what is lost."""

from __future__ import annotations

import textwrap

import networkx as nx

from tmvlearn.explorers._base import Explorer
from tmvlearn.models import networks as model
from tmvlearn.plots import OKABE_ITO, new_figure

__all__ = ["biogenesis_explorer", "BiogenesisExplorer", "NONE"]

NONE = "(none)"
_ROUTE_COLOURS = {"calcium": OKABE_ITO["blue"], "ARF6": OKABE_ITO["orange"],
                  "Rab22a": OKABE_ITO["bluish_green"], "RhoA": OKABE_ITO["reddish_purple"]}


class BiogenesisExplorer(Explorer):
    """The shedding pathway as a graph (Zhu et al. 2021, 'The Biogenesis of MVs')."""

    name = "biogenesis"

    def __init__(self, inhibit=NONE, interactive=True):
        self.graph = model.biogenesis_graph()
        self.nodes = sorted(self.graph.nodes, key=str.lower)
        super().__init__({"inhibit": inhibit}, interactive)

    def _validate(self, p):
        node = p["inhibit"]
        if node in (None, NONE):
            return {"inhibit": NONE}
        return {"inhibit": model.check_node(self.graph, node)}

    def _layout(self) -> dict[str, tuple[float, float]]:
        if nx.is_directed_acyclic_graph(self.graph):
            layers = list(nx.topological_generations(self.graph))
        else:  # pragma: no cover - the curated pathway is acyclic
            layers = [self.nodes]
        pos = {}
        for x, layer in enumerate(layers):
            layer = sorted(layer, key=str.lower)
            for i, node in enumerate(layer):
                pos[node] = (x, (len(layer) - 1) / 2 - i)
        return pos

    def _build(self):
        from matplotlib.patches import FancyArrowPatch

        fig, ax = new_figure()
        self.ax = ax
        self.pos = self._layout()
        ax.set_axis_off()
        ax.set_title("MV shedding pathway (Zhu et al. 2021, 'The Biogenesis of MVs'): block a step")
        self._edges = {}
        for u, v, data in self.graph.edges(data=True):
            style = "-[" if data["effect"] == "inhibits" else "-|>"
            arrow = FancyArrowPatch(self.pos[u], self.pos[v], arrowstyle=style, mutation_scale=9,
                                    color=_ROUTE_COLOURS.get(data["route"], "0.3"), linewidth=1.1,
                                    shrinkA=9, shrinkB=9, zorder=1,
                                    linestyle="--" if data["effect"] == "inhibits" else "-")
            ax.add_patch(arrow)
            self._edges[(u, v)] = arrow
        xy = [self.pos[n] for n in self.nodes]
        self._node_art = ax.scatter([p[0] for p in xy], [p[1] for p in xy], s=70, zorder=3,
                                    facecolors="white", edgecolors="black", linewidths=1)
        for n in self.nodes:
            x, y = self.pos[n]
            ax.text(x, y - 0.28, textwrap.fill(n, 16), ha="center", va="top", fontsize=6, zorder=4)
        xs = [p[0] for p in self.pos.values()]
        ys = [p[1] for p in self.pos.values()]
        ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
        ax.set_ylim(min(ys) - 1.9, max(ys) + 0.5)
        for route, colour in _ROUTE_COLOURS.items():
            ax.plot([], [], color=colour, label=f"{route} route")
        ax.plot([], [], color="0.3", linestyle="--", label="inhibits (tee end)")
        ax.plot([], [], marker="X", color=OKABE_ITO["vermillion"], linestyle="none", label="blocked step")
        ax.plot([], [], marker="o", markerfacecolor="0.75", markeredgecolor="0.4", linestyle="none",
                label="lost step")
        ax.legend(loc="lower left", ncols=3, fontsize=7)
        self._status = ax.text(0.99, 0.02, "", transform=ax.transAxes, ha="right", va="bottom", fontsize=7.5,
                               bbox={"facecolor": "white", "edgecolor": "0.6"})
        (self._cross,) = ax.plot([], [], marker="X", markersize=13, color=OKABE_ITO["vermillion"],
                                 markeredgecolor="black", linestyle="none", zorder=5)
        return fig, [*self._edges.values(), self._node_art, self._cross, self._status]

    def _controls(self):
        import ipywidgets as w

        return {"inhibit": w.Dropdown(options=[NONE, *self.nodes], value=self.params["inhibit"],
                                      description="Block", style={"description_width": "initial"})}

    def lost(self) -> list[str]:
        """Steps lost with the current block (empty when nothing is blocked)."""
        node = self.params["inhibit"]
        return [] if node == NONE else model.lost_if_inhibited(node, self.graph)

    def _shown(self):
        faces = self._node_art.get_facecolors()
        xs, ys = self._cross.get_data()
        return {"greyed_steps": [n for n, face in zip(self.nodes, faces, strict=True)
                                 if tuple(face[:3]) != (1.0, 1.0, 1.0)],
                "blocked_marker_xy": (float(xs[0]), float(ys[0])) if len(xs) else None}

    def _draw(self):
        lost = set(self.lost())
        node = self.params["inhibit"]
        self._node_art.set_facecolors(["0.75" if n in lost else "white" for n in self.nodes])
        self._node_art.set_edgecolors(["0.4" if n in lost else "black" for n in self.nodes])
        for (u, v), arrow in self._edges.items():
            arrow.set_alpha(0.2 if (u in lost or v in lost) else 1.0)
        n_steps = self.graph.number_of_nodes()
        if node == NONE:
            self._cross.set_data([], [])
            self._status.set_text("Nothing blocked: every step can lead to MV shedding.")
            return (f"Directed graph of {n_steps} steps of the four routes (calcium, ARF6, Rab22a, RhoA) "
                    f"that lead to MV shedding; nothing is blocked.")
        self._cross.set_data([self.pos[node][0]], [self.pos[node][1]])
        others = sorted(lost - {node}, key=str.lower)
        still = model.SINK not in lost
        self._status.set_text(textwrap.fill(
            f"Blocking {node} loses {len(others)} further step(s)"
            + (f": {', '.join(others)}" if others else "")
            + (". MV shedding is still reached by other routes." if still else ". MV shedding is lost."), 70))
        return (f"Directed graph of {n_steps} steps leading to MV shedding with {node} blocked: "
                f"{len(others)} further step(s) are lost ({', '.join(others) if others else 'none'}); "
                f"MV shedding {'is still reached by other routes' if still else 'is lost'}.")


def biogenesis_explorer(inhibit=NONE, interactive=True) -> BiogenesisExplorer:
    """The biogenesis pathway explorer: pick a step to block and see which steps are lost."""
    return BiogenesisExplorer(inhibit, interactive)
