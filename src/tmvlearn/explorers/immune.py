"""Immune interaction map: TMV cargo -> immune cell -> consequence for the tumor."""

from __future__ import annotations

import html

import numpy as np

from tmvlearn.explorers._base import Explorer
from tmvlearn.plots import CONSEQUENCE_STYLES, new_figure

__all__ = ["immune_explorer", "ImmuneExplorer", "ALL"]

ALL = "All"
_SHOWN = ["id", "mediator", "target_cell", "effect_on_cell", "tumor_consequence", "cited_author", "refs",
          "source_document"]


_LINE_WIDTHS = {True: 1.6, False: 0.7}  # highlighted (matches the filters) or not


def _short(text: str, n: int = 44) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


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
        shown = self.data[_SHOWN].astype(object).where(self.data[_SHOWN].notna(), "")
        self._html_rows = ["<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r) + "</tr>"
                           for r in shown.itertuples(index=False)]
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
        from matplotlib.collections import LineCollection

        fig, ax = new_figure()
        self.ax = ax
        ax.set_axis_off()
        ax.set_title("TMV cargo → immune cell → consequence for the tumor "
                     "(Zhu et al. 2021; Pucci & Pittet 2013)")

        def column(labels):
            n = len(labels)
            return {lab: 1 - (i + 0.5) / n for i, lab in enumerate(labels)}

        ym, yc, yq = column(self.mediators), column(self.cells), column(self.consequences)
        xm, xc, xq = 0.0, 1.0, 1.8
        for lab, y in ym.items():
            ax.text(xm - 0.03, y, _short(lab), ha="right", va="center", fontsize=5.8)
        for lab, y in yc.items():
            ax.text(xc, y + 0.025, lab, ha="center", va="bottom", fontsize=7.5,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
        for lab, y in yq.items():
            ax.text(xq + 0.04, y, lab, ha="left", va="center", fontsize=8, fontweight="bold",
                    color=CONSEQUENCE_STYLES[lab]["color"])
        ax.scatter([xm] * len(ym), list(ym.values()), s=10, color="black", zorder=3)
        ax.scatter([xc] * len(yc), list(yc.values()), s=30, color="black", zorder=3)
        ax.scatter([xq] * len(yq), list(yq.values()), s=40, color="black", zorder=3)
        segs, styles = [], []
        for m, c, q in zip(self.data["mediator"].astype(str), self._cell, self._cons, strict=True):
            segs += [[(xm, ym[m]), (xc, yc[c])], [(xc, yc[c]), (xq, yq[q])]]
            styles += [CONSEQUENCE_STYLES[q]["linestyle"]] * 2
        self._lines = LineCollection(segs, linestyles=styles, linewidths=1.2, zorder=2)
        ax.add_collection(self._lines)
        ax.set_xlim(-1.45, 2.45)
        ax.set_ylim(-0.02, 1.04)
        for q in self.consequences:
            st = CONSEQUENCE_STYLES[q]
            ax.plot([], [], color=st["color"], linestyle=st["linestyle"], label=q)
        ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.78), fontsize=7, title="Consequence")
        self._count = ax.text(2.45, 0.0, "", ha="right", va="bottom", fontsize=7.5)
        return fig, [self._lines, self._count]

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

    def _shown(self):
        widths = np.asarray(self._lines.get_linewidths())
        return {"highlighted_links": int(np.count_nonzero(widths == _LINE_WIDTHS[True]))}  # 2 per interaction

    def _draw(self):
        from matplotlib.colors import to_rgba

        mask = self._mask()
        colours = []
        for keep, q in zip(mask, self._cons, strict=True):
            colour = to_rgba(CONSEQUENCE_STYLES[q]["color"], 0.9) if keep else (0.8, 0.8, 0.8, 0.35)
            colours += [colour, colour]
        self._lines.set_color(colours)
        self._lines.set_linewidth(np.repeat(np.where(mask, _LINE_WIDTHS[True], _LINE_WIDTHS[False]), 2))
        n = int(mask.sum())
        self._count.set_text(f"{n} of {len(mask)} interactions shown")
        if self.interactive:
            head = "".join(f"<th>{c}</th>" for c in _SHOWN)
            body = "".join(r for r, keep in zip(self._html_rows, mask, strict=True) if keep)
            self._html.value = (f'<table class="tmv-table"><thead><tr>{head}</tr></thead>'
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
