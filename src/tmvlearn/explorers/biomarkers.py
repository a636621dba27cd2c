"""Biomarker explorer: filter Table 1 by class, cancer type and free text."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from tmvlearn.explorers._base import ROW_HEAD, Explorer, table_rows_html
from tmvlearn.plots import OKABE_ITO, new_figure

__all__ = ["biomarker_explorer", "BiomarkerExplorer", "ALL"]

ALL = "All"
NO_CANCER = "(no cancer named)"
_CATEGORY_LOOK = {
    "membrane-associated molecule": (OKABE_ITO["blue"], "///"),
    "intracellular component": (OKABE_ITO["orange"], "..."),
    "nucleic acid": (OKABE_ITO["bluish_green"], "\\\\\\"),
}
_SEARCHED = ("name", "origin", "cancer_types", "function", "target")
_SHOWN = ["id", "name", "category", "origin", "function", "target", "refs"]


class BiomarkerExplorer(Explorer):
    """Table 1 of Zhu et al. 2021 filtered three ways; a table and a bar chart that agree."""

    name = "biomarker"

    def __init__(self, category=ALL, cancer_type=ALL, search="", interactive=True):
        from tmvlearn.datasets import load_dataset

        self.data = load_dataset("biomarkers")
        self.categories = list(self.data["category"].cat.categories)
        types = self.data["cancer_types"].fillna("").map(lambda s: [t for t in s.split("; ") if t])
        self._types = types.map(lambda ts: ts or [NO_CANCER])
        counts = pd.Series([t for ts in self._types for t in ts]).value_counts()
        self.cancer_types = sorted((t for t in counts.index if t != NO_CANCER), key=str.lower)
        self._rows = self.cancer_types + [NO_CANCER]
        self._max = int(counts.max())
        self._haystack = [" | ".join(map(str, r)).lower()
                          for r in self.data[list(_SEARCHED)].fillna("").itertuples(index=False)]
        self._category = self.data["category"].astype(str).to_numpy()
        self._type_masks = {t: self._types.map(lambda ts, t=t: t in ts).to_numpy() for t in self._rows}
        self._html_rows = table_rows_html(self.data, _SHOWN)  # row label (from 0), then id (from 1)
        super().__init__({"category": category, "cancer_type": cancer_type, "search": search}, interactive)

    def _validate(self, p):
        for key, allowed in (("category", [ALL, *self.categories]), ("cancer_type", [ALL, *self._rows])):
            if p[key] not in allowed:
                raise ValueError(f"{key} {p[key]!r} is not in Table 1; choose one of: {', '.join(allowed)}.")
        if not isinstance(p["search"], str):
            raise ValueError(f"search must be text (got {p['search']!r}).")
        return p

    def _mask(self) -> np.ndarray:
        p = self.params
        mask = np.ones(len(self.data), dtype=bool)
        if p["category"] != ALL:
            mask &= self._category == p["category"]
        if p["cancer_type"] != ALL:
            mask &= self._type_masks[p["cancer_type"]]
        text = p["search"].strip().lower()
        if text:
            mask &= np.array([text in h for h in self._haystack])
        return mask

    @property
    def table(self) -> pd.DataFrame:
        """The rows of Table 1 that match the current filters."""
        return self.data[self._mask()]

    def _build(self):
        fig, ax = new_figure()
        self.ax = ax
        n = len(self._rows)
        self._bars = {}
        for cat in self.categories:
            colour, hatch = _CATEGORY_LOOK.get(cat, ("0.5", ""))
            bars = ax.barh(range(n), [0] * n, height=0.7, color=colour, hatch=hatch, edgecolor="black",
                           linewidth=0.6, label=cat)
            self._bars[cat] = list(bars)
        ax.set_yticks(range(n), self._rows)
        ax.set_ylim(n - 0.4, -0.6)
        ax.set_xlim(0, self._max + 1)
        ax.set_xlabel("Number of matching biomarkers (rows of Table 1)")
        ax.set_ylabel("Cancer type (MV origin)")
        ax.set_title("Biomarkers of microvesicles (Zhu et al. 2021, Table 1)")
        legend = ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.94), title="Biomarker class")
        ax.grid(axis="y", visible=False)
        self._count = ax.text(0.99, 0.99, "", transform=ax.transAxes, ha="right", va="top", fontsize=8)
        # the legend is redrawn after the bars so that a long bar never hides it
        return fig, [*(b for bars in self._bars.values() for b in bars), self._count, legend]

    def _controls(self):
        import ipywidgets as w

        st = {"description_width": "initial"}
        return {
            "category": w.Dropdown(options=[ALL, *self.categories], value=self.params["category"],
                                   description="Class", style=st),
            "cancer_type": w.Dropdown(options=[ALL, *self._rows], value=self.params["cancer_type"],
                                      description="Cancer type", style=st),
            "search": w.Text(value=self.params["search"], description="Search",
                             placeholder="e.g. MMP, miR-, invasion", continuous_update=True, style=st),
        }

    def _extra_widgets(self):
        import ipywidgets as w

        self._html = w.HTML()
        self._html.add_class("tmv-biomarker-table")
        return [self._html]

    def _shown(self):
        return {"rows_by_class": {cat: float(sum(bar.get_width() for bar in bars))  # bar lengths added up
                                  for cat, bars in self._bars.items()},
                "table_html": self._html.value if self.interactive else None}

    def _draw(self):
        mask = self._mask()
        rows = self.data[mask]
        left = np.zeros(len(self._rows))
        index = {t: i for i, t in enumerate(self._rows)}
        for cat in self.categories:
            in_cat = mask & (self._category == cat)
            widths = np.array([np.count_nonzero(in_cat & self._type_masks[t]) for t in self._rows], float)
            for bar, x, w_ in zip(self._bars[cat], left, widths, strict=True):
                bar.set_x(x)
                bar.set_width(w_)
                bar.set_visible(w_ > 0)  # hatching empty bars still costs time
            left += widths
        self._count.set_text(f"{len(rows)} of {len(self.data)} rows match")
        if self.interactive:
            head = ROW_HEAD + "".join(f"<th>{c}</th>" for c in _SHOWN)
            body = "".join(r for r, keep in zip(self._html_rows, mask, strict=True) if keep)
            self._html.value = (f'<table class="tmv-table" style="line-height:1.35">'
                                f'<thead><tr>{head}</tr></thead>'
                                f'<tbody>{body}</tbody></table>'
                                if len(rows) else "<p><i>No row of Table 1 matches these filters.</i></p>")
        p = self.params
        filters = (f"class {p['category'].lower() if p['category'] != ALL else 'any'}, "
                   f"cancer type {p['cancer_type'] if p['cancer_type'] != ALL else 'any'}, "
                   f"search {html.unescape(repr(p['search'])) if p['search'].strip() else 'none'}")
        if not len(rows):
            return f"Bar chart of Table 1 biomarkers by cancer type: no row matches ({filters})."
        by_type = sorted(((int(left[i]), t) for t, i in index.items() if left[i]),
                         key=lambda x: (-x[0], x[1]))
        names = ", ".join(rows["name"].astype(str).head(12)) + (", ..." if len(rows) > 12 else "")
        tops = ", ".join(f"{t} {n}" for n, t in by_type[:5])
        return (f"Bar chart of Table 1 biomarkers by cancer type, stacked by class: {len(rows)} of "
                f"{len(self.data)} rows match ({filters}): {names}. Most rows: {tops}.")


def biomarker_explorer(category=ALL, cancer_type=ALL, search="", interactive=True) -> BiomarkerExplorer:
    """The biomarker explorer over Table 1: filter by class, cancer type and free text."""
    return BiomarkerExplorer(category, cancer_type, search, interactive)
