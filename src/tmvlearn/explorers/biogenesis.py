"""Biogenesis pathway explorer: block one step of MV shedding and see what is lost."""

from __future__ import annotations

import textwrap

from tmvlearn.explorers._base import Explorer, content_digest
from tmvlearn.explorers._layered import layered_layout, measure_labels, route_path
from tmvlearn.models import networks as model
from tmvlearn.plots import BACKDROP, OKABE_ITO, pixel_figure

__all__ = ["biogenesis_explorer", "BiogenesisExplorer", "NONE"]

NONE = "(none)"
ROUTE_COLOURS = {"calcium": OKABE_ITO["blue"], "ARF6": OKABE_ITO["orange"],
                 "Rab22a": OKABE_ITO["bluish_green"], "RhoA": OKABE_ITO["reddish_purple"]}
#: How an edge's effect is drawn: line style and arrow end.
EFFECT_LOOK = {"positive": {"linestyle": "-", "arrowstyle": "-|>,head_length=0.55,head_width=0.28"},
               "inhibits": {"linestyle": (0, (4, 2)), "arrowstyle": "-[,widthB=0.7,lengthB=0"}}
FONT_SIZE = 9  # points: node labels (the floor)
WIDTH_PX = 800
_TOP, _STATUS = 34, 46  # pixels above the graph (title) and below it (status line)
_LOST_FACE, _LOST_TEXT = "0.82", "0.45"
_BLOCKED = OKABE_ITO["vermillion"]


def _effect(data) -> str:
    return "inhibits" if data["effect"] == "inhibits" else "positive"


def _ArrowHandler(look):
    """A legend handler that draws a short arrow in an edge's own look (line style and end)."""
    from matplotlib.legend_handler import HandlerBase
    from matplotlib.patches import FancyArrowPatch

    class Handler(HandlerBase):
        def create_artists(self, legend, orig, xdescent, ydescent, width, height, fontsize, trans):
            y = height / 2 - ydescent
            arrow = FancyArrowPatch((-xdescent, y), (width - xdescent, y), arrowstyle=look["arrowstyle"],
                                    mutation_scale=10, color=orig.get_color(), linewidth=1.4,
                                    linestyle=look["linestyle"], shrinkA=0, shrinkB=0, transform=trans)
            return [arrow]

    return Handler()


class BiogenesisExplorer(Explorer):
    """The shedding pathway as a layered graph (Zhu et al. 2021, 'The Biogenesis of MVs')."""

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

    def _build(self):
        from matplotlib.lines import Line2D
        from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

        labels = {n: textwrap.fill(n, 13, break_long_words=False) for n in self.graph.nodes}
        sizes = measure_labels(labels, FONT_SIZE, pad=(10, 8), fontweight="bold")  # bold: the widest look
        self.layout = layout = layered_layout(list(self.graph.nodes), list(self.graph.edges), sizes,
                                              direction="TB", layer_gap=20, node_gap=10)
        legend_w = 170
        height = max(450, round(_TOP + layout.height + _STATUS + 8))
        fig, ax = pixel_figure(WIDTH_PX, height)
        self.ax = ax
        # the graph in the middle of the space the legend leaves on the left
        x0 = legend_w + (WIDTH_PX - legend_w - layout.width) / 2
        x0 = min(max(x0, legend_w), WIDTH_PX - layout.width - 6)
        offset = (x0, _TOP)
        self._offset = offset
        self._title = fig.suptitle("The MV shedding pathway as curated from Zhu et al. 2021 "
                                   "('The Biogenesis of MVs'): block a step", y=1 - 8 / height, va="top")
        self._edges = {}
        for (u, v), pieces in layout.routes.items():
            data = self.graph.edges[u, v]
            look = EFFECT_LOOK[_effect(data)]
            arrow = FancyArrowPatch(path=route_path(pieces, offset), arrowstyle=look["arrowstyle"],
                                    mutation_scale=12, color=ROUTE_COLOURS.get(data["route"], "0.3"),
                                    linewidth=1.4, linestyle=look["linestyle"], zorder=1,
                                    shrinkA=0, shrinkB=0, capstyle="butt", joinstyle="round")
            arrow.set_gid(f"edge:{u}->{v}")
            ax.add_patch(arrow)
            self._edges[(u, v)] = arrow
        self.pos, self._boxes, self._labels = {}, {}, {}
        for n in self.nodes:
            b = layout.boxes[n]
            bx, by = b.x0 + offset[0], b.y0 + offset[1]
            box = FancyBboxPatch((bx, by), b.x1 - b.x0, b.y1 - b.y0, boxstyle="round,pad=0,rounding_size=4",
                                 facecolor="white", edgecolor="0.25", linewidth=0.9, zorder=2)
            box.set_gid(BACKDROP)
            ax.add_patch(box)
            self.pos[n] = (b.cx + offset[0], b.cy + offset[1])
            self._boxes[n] = box
            self._labels[n] = ax.text(*self.pos[n], labels[n], ha="center", va="center", fontsize=FONT_SIZE,
                                      linespacing=1.1, zorder=3)
        # one legend entry per style drawn: the four route colours, then the two effect looks
        handles = [Line2D([], [], color=c, linewidth=2, label=f"{route} route")
                   for route, c in ROUTE_COLOURS.items()
                   if any(d["route"] == route for *_, d in self.graph.edges(data=True))]
        effects = {_effect(d) for *_, d in self.graph.edges(data=True)}
        labels_ = {"positive": "activates or leads to", "inhibits": "inhibits (dashed, bar end)"}
        arrows = {}
        for effect in ("positive", "inhibits"):
            if effect in effects:
                handle = Line2D([], [], color="0.3", linestyle=EFFECT_LOOK[effect]["linestyle"],
                                label=labels_[effect])
                arrows[handle] = effect
                handles.append(handle)
        handler_map = {h: _ArrowHandler(EFFECT_LOOK[e]) for h, e in arrows.items()}
        self._legend = ax.legend(handles=handles, handler_map=handler_map,
                                 loc="upper left", bbox_to_anchor=(6 / WIDTH_PX, 1 - _TOP / height),
                                 title="Edges", alignment="left", fontsize=8.5, title_fontsize=9,
                                 handlelength=2.6, borderaxespad=0)
        self._status = ax.text(WIDTH_PX / 2, height - 6, "", ha="center", va="bottom", fontsize=8.5,
                               linespacing=1.25)
        self._looks = {n: "normal" for n in self.nodes}  # what each step's box shows now
        # the boxes and labels are drawn once per look and pasted (see _cache_regions): edges and
        # the status line are what is redrawn on a change
        return fig, [*self._edges.values(), self._status]

    def _controls(self):
        import ipywidgets as w

        return {"inhibit": w.Dropdown(options=[NONE, *self.nodes], value=self.params["inhibit"],
                                      description="Block", style={"description_width": "initial"})}

    def lost(self) -> list[str]:
        """Steps lost with the current block (empty when nothing is blocked)."""
        node = self.params["inhibit"]
        return [] if node == NONE else model.lost_if_inhibited(node, self.graph)

    def _style(self, n: str, look: str) -> None:
        box, label = self._boxes[n], self._labels[n]
        box.set_facecolor("white" if look == "normal" else _LOST_FACE)
        box.set_edgecolor({"normal": "0.25", "lost": "0.55", "blocked": _BLOCKED}[look])
        box.set_linewidth(2.6 if look == "blocked" else 0.9)
        label.set_color(_LOST_TEXT if look == "lost" else "black")
        label.set_fontweight("bold" if look == "blocked" else "normal")

    def _static_key(self):
        # everything static is drawn from the graph (a block only greys steps and fades edges)
        return content_digest(list(self.graph.nodes(data=True)), list(self.graph.edges(data=True)))

    def _style_all(self, look):
        for n in self.nodes:
            self._style(n, look or "normal")

    def _paint_regions(self):
        # each look is drawn once, when first needed (then shared: see _static_key)
        needed = set(self._looks.values())
        for look in ("lost", "blocked"):
            if look in needed and (self.nodes[0], look) not in self._regions:
                self._keep_look(self._style_all, look, self._boxes, pad=2.5)
        canvas = self.figure.canvas
        for n, look in self._looks.items():
            if look != "normal":
                canvas.restore_region(self._regions[(n, look)])

    def _shown(self):
        looks = self._looks
        blocked = [n for n in self.nodes if looks[n] == "blocked"]
        return {"greyed_steps": [n for n in self.nodes if looks[n] != "normal"],
                "blocked_marker_xy": self.pos[blocked[0]] if blocked else None}

    def _draw(self):
        lost = set(self.lost())
        node = self.params["inhibit"]
        self._looks = {n: "blocked" if n == node else ("lost" if n in lost else "normal") for n in self.nodes}
        for (u, v), arrow in self._edges.items():
            arrow.set_alpha(0.25 if (u in lost or v in lost) else 1.0)
        n_steps = self.graph.number_of_nodes()
        if node == NONE:
            self._status.set_text("Nothing blocked: every step can lead to MV shedding. "
                                  "Pick a step under 'Block' to see what is lost.")
            return (f"Layered graph of {n_steps} steps of the four routes (calcium, ARF6, Rab22a, RhoA) "
                    f"that lead to MV shedding, from triggers at the top to shedding at the bottom; "
                    f"nothing is blocked.")
        others = sorted(lost - {node}, key=str.lower)
        still = model.SINK not in lost
        self._status.set_text(textwrap.fill(
            f"Blocked: {node} (thick vermillion outline). Lost with it (grey): "
            + (", ".join(others) if others else "no further step")
            + (". MV shedding is still reached by other routes." if still else ". MV shedding is lost."),
            120))
        return (f"Layered graph of {n_steps} steps leading to MV shedding with {node} blocked: "
                f"{len(others)} further step(s) are lost ({', '.join(others) if others else 'none'}); "
                f"MV shedding {'is still reached by other routes' if still else 'is lost'}.")


def biogenesis_explorer(inhibit=NONE, interactive=True) -> BiogenesisExplorer:
    """The biogenesis pathway explorer: pick a step to block and see which steps are lost."""
    return BiogenesisExplorer(inhibit, interactive)
