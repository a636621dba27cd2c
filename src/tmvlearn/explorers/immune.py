"""Immune interaction map: TMV cargo -> immune cell -> consequence for the tumor."""

from __future__ import annotations

import textwrap

import numpy as np

from tmvlearn.explorers._base import ROW_HEAD, Explorer, content_digest, table_rows_html
from tmvlearn.explorers._layered import layered_layout, measure_labels, route_path
from tmvlearn.models.networks import immune_graph
from tmvlearn.plots import BACKDROP, CONSEQUENCE_STYLES, pixel_figure

__all__ = ["immune_explorer", "ImmuneExplorer", "ALL"]

ALL = "All"
_SHOWN = ["id", "mediator", "target_cell", "effect_on_cell", "tumor_consequence", "cited_author", "refs",
          "source_document"]


_LINE_WIDTHS = {True: 1.7, False: 0.8}  # highlighted (matches the filters) or not


_DIM = (0.72, 0.72, 0.72, 0.7)
_DIM_TEXT = "0.45"
_LAYERS = ("mediator", "cell", "consequence")
_WRAP = {"mediator": 42, "cell": 18, "consequence": 18}  # characters per line; words are never split
FONT_SIZE = 9  # points
WIDTH_PX = 800
_TOP = 34  # pixels above the map (title)


class ImmuneExplorer(Explorer):
    """Three columns joined by lines; filter by immune cell type and tumor consequence."""

    name = "immune"

    def __init__(self, target_cell=ALL, consequence=ALL, interactive=True):
        from tmvlearn.datasets import load_dataset

        self.data = load_dataset("immune_interactions")
        self.cells = [c for c in self.data["target_cell"].cat.categories
                      if (self.data["target_cell"] == c).any()]
        self.consequences = list(self.data["tumor_consequence"].cat.categories)
        self.mediators = list(dict.fromkeys(self.data["mediator"].astype(str)))
        self._cell = self.data["target_cell"].astype(str).to_numpy()
        self._cons = self.data["tumor_consequence"].astype(str).to_numpy()
        self._html_rows = table_rows_html(self.data, _SHOWN)  # row label (from 0), then id (from 1)
        super().__init__({"target_cell": target_cell, "consequence": consequence}, interactive)

    def _validate(self, p):
        for key, allowed in (("target_cell", [ALL, *self.cells]), ("consequence", [ALL, *self.consequences])):
            if p[key] not in allowed:
                raise ValueError(f"{key} {p[key]!r} is not in the immune_interactions data; "
                                 f"choose one of: {', '.join(allowed)}.")
        return p

    def _mask(self) -> np.ndarray:
        p = self.params
        mask = np.ones(len(self.data), dtype=bool)
        if p["target_cell"] != ALL:
            mask &= self._cell == p["target_cell"]
        if p["consequence"] != ALL:
            mask &= self._cons == p["consequence"]
        return mask

    @property
    def table(self):
        """The interactions that match the current filters."""
        return self.data[self._mask()]

    def _build(self):
        from matplotlib.collections import PathCollection
        from matplotlib.lines import Line2D
        from matplotlib.patches import FancyBboxPatch

        graph = immune_graph(self.data)
        self._graph = graph
        nodes = list(graph.nodes)
        layer = {n: _LAYERS.index(graph.nodes[n]["layer"]) for n in nodes}
        labels = {n: textwrap.fill(n[1], _WRAP[graph.nodes[n]["layer"]], break_long_words=False)
                  for n in nodes}
        sizes = measure_labels({n: t for n, t in labels.items() if layer[n] < 2}, FONT_SIZE, pad=(10, 5),
                               linespacing=1.05)
        sizes.update(measure_labels({n: t for n, t in labels.items() if layer[n] == 2}, FONT_SIZE,
                                    pad=(10, 5), linespacing=1.05, fontweight="bold"))
        layout = layered_layout(nodes, list(graph.edges), sizes, direction="LR", layer_gap=70, node_gap=4,
                                fixed_layers=layer, align={0: "end", 2: "start"}, port_share=0.6)
        self.layout = layout
        height = max(450, round(_TOP + layout.height + 12))
        fig, ax = pixel_figure(WIDTH_PX, height)
        self.ax = ax
        # centred, but leaving room on the right for the legend under the consequence column
        legend_w = 175
        last = min(b.x0 for n, b in layout.boxes.items() if layer[n] == 2)
        span = max(layout.width, last + legend_w)
        offset = (max(4.0, (WIDTH_PX - span) / 2), _TOP)
        fig.suptitle("TMV cargo → immune cell → consequence for the tumor "
                     "(Zhu et al. 2021; Pucci & Pittet 2013)", y=1 - 8 / height, va="top")
        # edges: one per distinct link, with the interactions (row ids) it carries
        self._links = list(graph.edges)
        self._link_ids = [set(graph.edges[e]["ids"]) for e in self._links]
        consequence = dict(zip(self.data["id"].astype(int), self._cons, strict=True))
        self._link_cons = [consequence[min(ids)] for ids in self._link_ids]
        self._link_paths = [route_path(layout.routes[e], offset) for e in self._links]
        self._dim = PathCollection([], facecolors="none", edgecolors=_DIM, linewidths=_LINE_WIDTHS[False],
                                   zorder=1)
        self._lit = PathCollection([], facecolors="none", linewidths=_LINE_WIDTHS[True], zorder=1.5)
        for c in (self._dim, self._lit):
            c.set_transform(ax.transData)
            ax.add_collection(c, autolim=False)
        self._labels, boxes = {}, {}
        for n in nodes:
            b = layout.boxes[n]
            box = FancyBboxPatch((b.x0 + offset[0], b.y0 + offset[1]), b.x1 - b.x0, b.y1 - b.y0,
                                 boxstyle="round,pad=0,rounding_size=3", facecolor="white", edgecolor="0.7",
                                 linewidth=0.6, zorder=2)
            box.set_gid(BACKDROP)
            ax.add_patch(box)
            boxes[n] = box
            kind = graph.nodes[n]["layer"]
            colour = CONSEQUENCE_STYLES[n[1]]["color"] if kind == "consequence" else "black"
            self._labels[n] = ax.text(b.cx + offset[0], b.cy + offset[1], labels[n], ha="center", va="center",
                                      fontsize=FONT_SIZE, linespacing=1.05, zorder=3, color=colour,
                                      fontweight="bold" if kind == "consequence" else "normal")
        self._label_colour = {n: t.get_color() for n, t in self._labels.items()}
        # the legend and the count below the consequence column, where no edge runs
        column = [layout.boxes[n] for n in nodes if layer[n] == 2]
        x_legend = min(b.x0 for b in column) + offset[0]
        y_legend = max(b.y1 for b in column) + offset[1] + 44
        handles = [Line2D([], [], color=CONSEQUENCE_STYLES[q]["color"], linewidth=_LINE_WIDTHS[True],
                          linestyle=CONSEQUENCE_STYLES[q]["linestyle"], label=q) for q in self.consequences]
        handles.append(Line2D([], [], color=_DIM, linewidth=_LINE_WIDTHS[False],
                              label="not matching the filters"))
        self._legend = ax.legend(handles=handles, loc="upper left", title="Links, by consequence",
                                 bbox_to_anchor=(x_legend / WIDTH_PX, 1 - y_legend / height), borderaxespad=0,
                                 alignment="left", fontsize=8.5, title_fontsize=9)
        self._count = ax.text(x_legend, y_legend - 8, "", ha="left", va="bottom", fontsize=9,
                              fontweight="bold")
        self._boxes_art = boxes
        self._dimmed = set()  # labels shown greyed now (pasted from a kept copy: see _cache_regions)
        return fig, [self._dim, self._lit, self._count]

    def _controls(self):
        import ipywidgets as w

        st = {"description_width": "initial"}
        return {
            "target_cell": w.Dropdown(options=[ALL, *self.cells], value=self.params["target_cell"],
                                      description="Immune cell", style=st),
            "consequence": w.ToggleButtons(options=[ALL, *self.consequences],
                                           value=self.params["consequence"], description="Consequence",
                                           style=st),
        }

    def _extra_widgets(self):
        import ipywidgets as w

        self._html = w.HTML()
        self._html.add_class("tmv-immune-table")
        return [self._html]

    def _static_key(self):
        # everything static is drawn from the data (the filters only light links and grey labels)
        return content_digest(self.data)

    def _grey_labels(self, look):
        for n, text in self._labels.items():
            text.set_color(_DIM_TEXT if look else self._label_colour[n])

    def _paint_regions(self):
        # the greyed labels are drawn once, when first needed (then shared: see _static_key)
        if self._dimmed and (next(iter(self._boxes_art)), "grey") not in self._regions:
            self._keep_look(self._grey_labels, "grey", self._boxes_art, pad=0.5)
        for n in self._dimmed:
            self.figure.canvas.restore_region(self._regions[(n, "grey")])

    def _shown(self):
        # distinct links (cargo -> cell, cell -> consequence) drawn in colour; labels not greyed
        return {"highlighted_links": len(self._lit.get_paths()),
                "highlighted_labels": sorted(n[1] for n in self._labels if n not in self._dimmed)}

    def _draw(self):
        mask = self._mask()
        ids = set(self.data["id"].astype(int)[mask])
        lit = [bool(link & ids) for link in self._link_ids]
        self._lit.set_paths([p for p, on in zip(self._link_paths, lit, strict=True) if on])
        shown = [q for q, on in zip(self._link_cons, lit, strict=True) if on]
        self._lit.set_edgecolor([CONSEQUENCE_STYLES[q]["color"] for q in shown])
        self._lit.set_linestyle([CONSEQUENCE_STYLES[q]["linestyle"] for q in shown] or "-")
        self._dim.set_paths([p for p, on in zip(self._link_paths, lit, strict=True) if not on])
        touched = {n for link, on in zip(self._links, lit, strict=True) if on for n in link}
        self._dimmed = set(self._labels) - touched
        n = int(mask.sum())
        self._count.set_text(f"{n} of {len(mask)} interactions shown")
        if self.interactive:
            head = ROW_HEAD + "".join(f"<th>{c}</th>" for c in _SHOWN)
            body = "".join(r for r, keep in zip(self._html_rows, mask, strict=True) if keep)
            self._html.value = (f'<table class="tmv-table" style="line-height:1.35">'
                                f'<thead><tr>{head}</tr></thead>'
                                f'<tbody>{body}</tbody></table>'
                                if n else "<p><i>No interaction matches these filters.</i></p>")
        p = self.params
        sel = self.data[mask]
        counts = sel["tumor_consequence"].value_counts()
        summary = ", ".join(f"{int(counts.get(q, 0))} {q}" for q in self.consequences)
        cells = p["target_cell"] if p["target_cell"] != ALL else "all immune cells"
        cons = p["consequence"] if p["consequence"] != ALL else "any consequence"
        return (f"Map linking TMV cargo to immune cells and to the consequence for the tumor, showing "
                f"{n} of {len(mask)} interactions ({cells}; {cons}): {summary}.")


def immune_explorer(target_cell=ALL, consequence=ALL, interactive=True) -> ImmuneExplorer:
    """The immune interaction map, filterable by immune cell type and tumor consequence."""
    return ImmuneExplorer(target_cell, consequence, interactive)
