"""The class-results HTML report: self-contained, escaped, labelled; it opens cleanly in Chromium."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import urlparse

import browser_support as bs
import pandas as pd
import pytest

from tmvlearn.quiz.bank import load_bank
from tmvlearn.results import html_report, sample_class

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


def _class_with_hostile_text(n: int = 24) -> pd.DataFrame:
    bank = load_bank("00_start_here")
    question = next(q for q in bank.questions if q.type == "single_choice")
    wrong = [o for o in question.options if o != question.answer]
    rows = []
    for i in range(n):
        pick = wrong[0] if i % 3 == 0 else question.answer
        if i == 1:
            pick = EVIL  # a response that is no option: shown, escaped
        rows.append(
            {
                "learner": EVIL if i == 0 else f"learner{i}",
                "lesson": bank.lesson,
                "question_id": question.id,
                "response": json.dumps(pick),
                "score": float(pick == question.answer),
                "time": pd.Timestamp("2026-02-02T10:00Z") + pd.Timedelta(minutes=i),
                "mode": "practice",
                "kind": "answer",
                "take": 1,
            }
        )
    frame = pd.DataFrame(rows)
    frame["correct"] = frame["score"] >= 1
    for col in ("learner", "lesson", "question_id", "response", "mode", "kind"):
        frame[col] = frame[col].astype("category")
    return frame


def test_report_escapes_learner_and_response_text_and_loads_nothing():
    page = html_report(_class_with_hostile_text())
    parsed = _parse(page)
    tags = [tag for tag, _ in parsed.tags]
    assert "script" not in tags and "iframe" not in tags and "link" not in tags
    images = [attrs for tag, attrs in parsed.tags if tag == "img"]
    assert images, "the report has figures"
    for attrs in images:
        assert attrs["src"].startswith("data:image/png;base64,")
        assert len(attrs.get("alt", "").strip()) > 20
    for _, attrs in parsed.tags:
        assert not [a for a in attrs if a.startswith("on")], "no event handler attributes"
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            assert not urlparse(value).netloc, f"nothing loaded from elsewhere: {value[:60]}"
    text = "".join(parsed.text)
    assert EVIL in text, "the hostile text is shown as text"
    assert "default-src 'none'" in page
    assert "SIMULATED" not in page


@pytest.fixture(scope="module")
def sample_page(tmp_path_factory):
    frame = sample_class()
    path = tmp_path_factory.mktemp("report") / "sample.html"
    path.write_text(html_report(frame), encoding="utf-8")
    return frame, path


@pytest.mark.slow
def test_sample_report_is_labelled_and_shows_the_planted_flags(sample_page):
    frame, path = sample_page
    page = path.read_text(encoding="utf-8")
    parsed = _parse(page)
    text = " ".join("".join(parsed.text).split())
    assert "SIMULATED class" in text and "<title>Simulated Class results</title>" in page
    assert frame.attrs["miskeyed"]["question_id"] in text
    assert "negative discrimination: check the key" in text
    assert f"non-functioning distractor: {frame.attrs['unpicked']['option']}" in text
    assert "Not started or behind" in text and "not started" in text
    # the banner names the planted questions and links to their sections
    banner = page[page.index('<p class="banner">'):page.index("</p>", page.index('<p class="banner">'))]
    for planted in ("miskeyed", "unpicked"):
        qid = frame.attrs[planted]["question_id"]
        assert f'<a href="#flag-{qid}"><code>{qid}</code></a>' in banner
        assert f'<div class="question" id="flag-{qid}">' in page
    assert "key were wrong" in banner.split(frame.attrs["unpicked"]["question_id"])[0]
    # every figure's alt text says it is simulated or belongs to a labelled section of a simulated page
    alts = [attrs["alt"] for tag, attrs in parsed.tags if tag == "img"]
    assert all(alt for alt in alts)
    assert "(simulated class)" in alts[0]


@pytest.mark.browser
@pytest.mark.slow
def test_report_opens_in_chromium_without_errors_or_requests(sample_page, browser, tmp_path):
    _, path = sample_page
    with bs.new_page(browser, width=1200, hosts=(), schemes=("file", "data")) as page:
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        assert page.console_errors + page.page_errors == []
        assert page.outside_requests == []
        sizes = page.eval_on_selector_all("img", "els => els.map(e => [e.naturalWidth, e.complete])")
        assert sizes and all(w > 0 and done for w, done in sizes), "every figure decodes"
        assert page.title().startswith("Simulated")
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)


def test_long_option_labels_wrap_instead_of_being_cut():
    from tmvlearn.results.report import options_figure

    long_key = 'df["cancer_types"].str.split("; ").explode().value_counts()'
    prose = "The fibroblasts phosphorylated ERK, raised MMP9 and resisted apoptosis; their own MVs then " \
            "made PC3 cells more invasive."
    item = {"question_id": "q", "options": {long_key: 0.4, prose: 0.35, "short": 0.25}, "key": [long_key]}
    fig, alt = options_figure(item)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    # a code chain breaks before ".method", never inside its quotes
    joined = [label.replace("\n.", ".").replace("\n", " ") for label in labels]
    assert joined == [f"KEY: {long_key}", prose, "short"]
    assert all(line.count('"') % 2 == 0 for line in labels[0].split("\n"))
    assert all(len(line) <= 42 for label in labels for line in label.split("\n"))
    assert 2 <= labels[1].count("\n") + 1 <= 3
    assert long_key in alt and prose in alt
