"""Markdown in listings: raw HTML is stripped when text is saved; rendering escapes HTML and is sanitised again."""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")
_ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "code", "pre", "blockquote", "h3", "h4", "h5",
                 "h6", "a", "hr"}


def strip_html(text: str | None) -> str | None:
    """Remove HTML tags from Markdown source, keeping the text (``a < b & c`` stays as typed)."""
    if text is None:
        return None
    return html.unescape(nh3.clean(text, tags=set())).strip() or None


def render_markdown(text: str | None) -> Markup:
    if not text:
        return Markup("")
    rendered = _md.render(text).replace("<h1>", "<h3>").replace("</h1>", "</h3>").replace(
        "<h2>", "<h4>").replace("</h2>", "</h4>")
    return Markup(nh3.clean(rendered, tags=_ALLOWED_TAGS, attributes={"a": {"href"}},
                            url_schemes={"http", "https", "mailto"}, link_rel="nofollow noopener"))


def plain_text(text: str | None) -> str:
    """Markdown source as plain words, for search and snippets."""
    if not text:
        return ""
    return " ".join(nh3.clean(_md.render(text), tags=set()).split())
