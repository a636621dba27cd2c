"""Bank text to HTML: Markdown with raw HTML escaped and inline ``$math$`` kept for MathJax.

The one path by which bank text (prompts, options, feedback, explanations) becomes HTML, used by
the question types, the static renderings and the widget alike.
"""

from __future__ import annotations

import html
import re
from functools import cache

__all__ = ["markdown_to_html", "inline_html"]

_MATH = re.compile(r"(?<![\\$])\$(?=\S)([^$\n]+?)(?<=\S)\$")


@cache
def _markdown():
    import mistune

    return mistune.create_markdown(escape=True, plugins=["strikethrough", "table"])


def markdown_to_html(text: str) -> str:
    """Markdown to HTML, raw HTML escaped, ``$math$`` passed through untouched."""
    maths: list[str] = []

    def hold(match: re.Match) -> str:
        maths.append(match.group(0))
        return f"tmvmath{len(maths) - 1}x"

    out = _markdown()(_MATH.sub(hold, text or ""))
    for i, original in reversed(list(enumerate(maths))):  # reversed: tmvmath1x before tmvmath10x
        out = out.replace(f"tmvmath{i}x", html.escape(original, quote=False))
    return out.strip()


def inline_html(text: str) -> str:
    """Like :func:`markdown_to_html` without the surrounding paragraph."""
    out = markdown_to_html(text)
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return out
