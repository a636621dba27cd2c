"""What a learner sees in each explorer's figure: nothing clipped or covered, a pathway whose edges
never cross a label, legends that match what is drawn, titles that follow the model, sharp images
and sliders that land on the values the lessons name."""

from __future__ import annotations

import io
import textwrap

import pytest

from tmvlearn import explorers
from tmvlearn.explorers import biogenesis as biogenesis_module
from tmvlearn.models import sedimentation, sizes
from tmvlearn.plots import _hits, check_figure, check_layout

# every explorer in its starting state and in states that stretch its texts (long status lines,
# extreme values, a filter that greys most of a map)
STATES = {
    "size": [{}, {"window": (40.0, 160.0)}, {"window": (10.0, 20_000.0)}, {"window": (500.0, 100.0)}],
    "centrifuge": [{}, {"rotor": "Type 70 Ti", "rcf_g": 100_000.0}, {"medium_density": 1.25},
                   {"rotor": "SW 28", "rcf_g": 100.0, "time_min": 0}],
    "diagnostic": [{}, {"threshold": 0.1, "prevalence": 0.001}, {"threshold": 10.0, "prevalence": 0.5}],
    "biomarker": [{}, {"category": "nucleic acid"}, {"search": "no such thing"}],
    "biogenesis": [{}, {"inhibit": "RhoA"}, {"inhibit": "aminophospholipid translocases"},
                   {"inhibit": "MV shedding"}],
    "immune": [{}, {"consequence": "anti-tumor"}, {"target_cell": "NK cell"}],
}
FACTORIES = {name: getattr(explorers, f"{name}_explorer") for name in STATES}
# each explorer's opening state in the quick tier; the stretching states with the slow tests
CASES = [pytest.param(name, i, id=f"{name}-{i}", marks=[pytest.mark.slow] if i else [])
         for name, states in STATES.items() for i in range(len(states))]


@pytest.fixture(scope="module")
def opening():
    """Each explorer as a lesson opens it, with its widgets: built once for the checks that only look."""
    return {name: make() for name, make in FACTORIES.items()}


@pytest.mark.parametrize(("name", "index"), CASES)
def test_nothing_is_clipped_or_covered(name, index, opening):
    exp = opening[name] if index == 0 else FACTORIES[name](interactive=False, **STATES[name][index])
    assert check_figure(exp.figure) == []
    assert check_layout(exp.figure) == [], "texts inside the figure, no overlaps, legends off the data"


def test_the_layout_check_sees_clipping_and_a_legend_over_data():
    from tmvlearn.plots import new_figure

    fig, ax = new_figure()
    ax.plot([0, 1], [0, 1], label="rising line")
    ax.set_title("A title")
    ax.set_xlabel("x (unit)")
    ax.set_ylabel("y (unit)")
    ax.legend(loc="center")  # right over the line
    ax.text(1.2, 0.5, "a note that runs off the right edge of the figure", transform=ax.transAxes)
    problems = check_layout(fig)
    assert any("covers data" in p and "legend" in p for p in problems)
    assert any("clipped by the figure edge" in p for p in problems)


# --- the pathway and the immune map --------------------------------------------------------------

def _label_boxes(exp):
    renderer = exp.figure.canvas.get_renderer()
    return {key: text.get_window_extent(renderer) for key, text in exp._labels.items()}


def test_pathway_edges_never_cross_a_label_and_labels_are_readable(opening):
    exp = opening["biogenesis"]
    boxes = _label_boxes(exp)
    for (u, v), arrow in exp._edges.items():
        path = arrow.get_transform().transform_path(arrow.get_path())
        crossed = [n for n, box in boxes.items() if _hits(path, box, filled=False)]
        assert not crossed, f"edge {u} -> {v} crosses the label(s) {crossed}"
    for n, text in exp._labels.items():
        assert text.get_fontsize() >= 9, f"label {n!r} is smaller than 9 pt"
        words = text.get_text().split()
        assert words == n.split(), f"label {n!r} is split inside a word: {text.get_text()!r}"
    # the boxes never overlap each other
    frames = {n: box.get_window_extent(exp.figure.canvas.get_renderer()) for n, box in exp._boxes.items()}
    names = list(frames)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not frames[a].overlaps(frames[b]), f"{a!r} and {b!r} overlap"


def test_pathway_legend_has_one_entry_per_style_drawn(opening):
    exp = opening["biogenesis"]
    from matplotlib.colors import to_hex

    drawn_colours = {to_hex(a.get_edgecolor()) for a in exp._edges.values()}
    drawn_dashes = {str(a.get_linestyle()) for a in exp._edges.values()}
    legend = exp._legend
    entries = {t.get_text(): h for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)}
    route_entries = {label: to_hex(h.get_color()) for label, h in entries.items() if label.endswith(" route")}
    assert set(route_entries.values()) == drawn_colours, "a colour per route drawn, and only those"
    assert len(route_entries) == len(drawn_colours)
    for label, handle in entries.items():
        if label.endswith(" route"):
            assert handle.get_linestyle() in ("-", "solid"), f"{label}: route entries are solid, as edges are"
    effect_dashes = {str(h.get_linestyle()) for label, h in entries.items() if not label.endswith(" route")}
    assert effect_dashes == drawn_dashes, "one effect entry per line style drawn (solid, dashed)"
    inhibits = [a for (u, v), a in exp._edges.items() if exp.graph.edges[u, v]["effect"] == "inhibits"]
    assert inhibits and all(str(a.get_linestyle()) != "-" for a in inhibits)


def test_immune_map_labels_are_whole_and_never_covered(opening):
    exp = opening["immune"]
    boxes = _label_boxes(exp)
    shown = {" ".join(text.get_text().split()) for text in exp._labels.values()}
    for column in ("mediator", "target_cell"):
        for label in exp.data[column].astype(str).unique():
            assert label in shown, f"{label!r} is not shown whole"
    assert not any("…" in s for s in shown)
    for path in exp._link_paths:
        path = exp.ax.transData.transform_path(path)  # layout pixels (y down) to the figure's
        assert not [k for k, box in boxes.items() if _hits(path, box, filled=False)], "a link crosses a label"
    assert exp._labels[("cell", "NK cell")].get_fontsize() >= 9


# --- titles, images, sliders --------------------------------------------------------------------

def test_centrifuge_title_names_the_rotor_and_its_model():
    exp = explorers.centrifuge_explorer()
    assert "SW 41 Ti" in exp._title.get_text() and "swinging-bucket" in exp._title.get_text()
    exp.controls["rotor"].value = "Type 70 Ti"
    title = exp._title.get_text()
    assert "Type 70 Ti" in title and "fixed-angle" in title and "swinging" not in title
    assert check_layout(exp.figure) == []


@pytest.mark.parametrize("name", STATES)
def test_figures_are_shown_at_their_own_pixel_size(name, opening):
    exp = opening[name]
    width = round(exp.figure.get_figwidth() * 100)  # CSS pixels: 100 a figure inch
    assert exp._image.width == str(width) and exp._image.layout.width == f"{width}px"
    from PIL import Image

    pixels = Image.open(io.BytesIO(exp._image.value)).size[0]
    assert pixels == 2 * width, "twice as many image pixels as CSS pixels: sharp on a HiDPI screen"
    assert exp._image.layout.max_width == "100%"  # a narrow window shrinks it, nothing stretches it


def test_size_slider_lands_on_the_exosome_range_and_agrees_with_the_table():
    exp = explorers.size_explorer()
    lo, hi = exp.controls["window_min_nm"], exp.controls["window_max_nm"]
    stops = [v for _, v in hi.options]
    assert {40.0, 100.0, 160.0, 1000.0} <= set(stops)
    lo.index = stops.index(40.0)  # where a learner drags the handles, one stop at a time
    hi.index = stops.index(160.0)
    assert hi.label == "160" and exp.params["window_max_nm"] == 160.0
    table = sizes.window_capture(exp.samples, 40, 160)["captured_fraction"]
    kept = exp.state()["kept_percent"]
    assert kept["Microvesicles"] == pytest.approx(100 * table["Microvesicles"])
    assert f"{kept['Microvesicles']:.0f}%" == f"{100 * table['Microvesicles']:.0f}%"
    assert "to 160 nm" in exp.alt_text


def test_force_and_prevalence_sliders_reach_the_lessons_values():
    exp = explorers.centrifuge_explorer(rcf_g=20_000, time_min=60)
    force = exp.controls["rcf_g"]
    assert force.value == 20_000 and force.label == "20,000"
    assert {10_000.0, 20_000.0, 100_000.0} <= {v for _, v in force.options}
    exp.controls["rotor"].value = "SW 32 Ti"  # a lower limit: the stops end there, the value stays
    assert max(v for _, v in force.options) <= sedimentation.ROTORS["SW 32 Ti"].max_rcf
    assert force.value == 20_000 and exp.params["rcf_g"] == 20_000
    prevalence = explorers.diagnostic_explorer(prevalence=0.05).controls["prevalence"]
    assert [label for label, _ in prevalence.options] == ["0.1%", "0.2%", "0.3%", "0.5%", "1%", "2%", "3%",
                                                          "5%", "10%", "20%", "30%", "50%"]
    assert prevalence.label == "5%"


def test_a_value_set_from_code_between_stops_is_kept():
    exp = explorers.size_explorer(window=(37.0, 150.0))
    assert exp.controls["window_min_nm"].value == 37.0 and exp.controls["window_max_nm"].label == "150"
    exp.update(window_max_nm=333.0)
    assert exp.controls["window_max_nm"].value == 333.0 and exp.params["window_max_nm"] == 333.0


def test_pathway_status_explains_the_looks():
    exp = explorers.biogenesis_explorer(inhibit="ARF6", interactive=False)
    status = " ".join(exp._status.get_text().split())
    assert "Blocked: ARF6" in status and "grey" in status and "ERK, PLD" in status
    assert textwrap.dedent(status) == status
    assert biogenesis_module.FONT_SIZE >= 9


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_diagnostic_histogram_shows_every_person_with_whole_number_counts(seed):
    """The histogram's bins hold the whole cohort (none cut off above 10 a.u. or below 0.1), and its
    count axis is ticked at whole numbers of people only."""
    exp = explorers.diagnostic_explorer(seed=seed, interactive=False)
    hist = exp.ax["hist"]
    levels = exp.cohort["simulated_marker_level"]
    lo, hi = hist.get_xlim()
    assert lo <= levels.min() and levels.max() <= hi, "the x range holds every simulated level"
    steps = hist.patches  # one StepPatch per group, patients then controls
    counted = sum(int(step.get_data().values.sum()) for step in steps)
    assert counted == len(exp.cohort), "every person is in a bin"
    exp.figure.canvas.draw()
    ticks = [t for t in hist.get_yticks() if hist.get_ylim()[0] <= t <= hist.get_ylim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks
    assert check_layout(exp.figure) == []
