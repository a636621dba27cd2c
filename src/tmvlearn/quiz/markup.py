"""Bank text to safe HTML: Markdown, inline ``$math$`` kept for MathJax, everything sanitised.

The one path by which bank text (prompts, options, feedback, explanations, units, sources)
becomes HTML, used by the question types, the static renderings, the answer key, the widget and
the handouts alike. Bank files are untrusted (a downloaded jupyterquiz or GIFT file is enough):
raw HTML in them is escaped by mistune, maths is escaped as text, and the result passes nh3 (the
ammonia sanitiser), which keeps only the tags Markdown produces and drops every script, event
handler and non-web link.
"""

from __future__ import annotations

import html
import re
from functools import cache

__all__ = ["markdown_to_html", "inline_html", "escape"]

_MATH = re.compile(r"(?<![\\$])\$(?=\S)([^$\n]+?)(?<=\S)\$")
# Placeholders for maths while Markdown is rendered: private-use characters, removed from the input
# first, so no bank text can imitate one.
_OPEN, _CLOSE = "\ue000", "\ue001"
_HOLD = re.compile(f"{_OPEN}(\\d+){_CLOSE}")

TAGS = {"p", "em", "strong", "code", "pre", "del", "br", "ul", "ol", "li", "blockquote", "a", "sup", "sub",
        "table", "thead", "tbody", "tr", "th", "td", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}


@cache
def _markdown():
    import mistune

    return mistune.create_markdown(escape=True, plugins=["strikethrough", "table"])


def _clean(fragment: str) -> str:
    import nh3

    return nh3.clean(fragment, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")


def escape(text: str) -> str:
    """Plain text (a unit, a learner's response) for HTML: every special character escaped."""
    return html.escape(str(text), quote=True)


def markdown_to_html(text: str) -> str:
    """Markdown to sanitised HTML; raw HTML escaped, ``$math$`` kept as text for MathJax."""
    maths: list[str] = []

    def hold(match: re.Match) -> str:
        maths.append(match.group(0))
        return f"{_OPEN}{len(maths) - 1}{_CLOSE}"

    source = (text or "").replace(_OPEN, "").replace(_CLOSE, "")
    rendered = _clean(_markdown()(_MATH.sub(hold, source)))
    # Maths goes back as escaped text only; a placeholder that landed inside an attribute (a link
    # target) or was mangled is dropped with nh3's output left as it is.
    return _HOLD.sub(lambda m: escape(maths[int(m.group(1))]), rendered).strip()


def inline_html(text: str) -> str:
    """Like :func:`markdown_to_html` without the surrounding paragraph."""
    out = markdown_to_html(text)
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return out
