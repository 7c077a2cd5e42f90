"""Article bodies are HTML written by staff and shown to patients: only an allow-list of tags
and attributes survives (nh3, the Python binding of the Rust ammonia sanitiser).

No script or style (their content is dropped too), no event attributes (none is allowed), no
``style`` attribute, and links/images only to http(s) or relative URLs, so no ``javascript:``
or ``data:`` URL.
"""

import nh3

TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup", "mark",
    "blockquote", "ul", "ol", "li", "a", "img", "figure", "figcaption", "table", "thead",
    "tbody", "tr", "th", "td", "caption", "hr", "span", "small", "code", "pre",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https"}


def sanitise(html: str) -> str:
    """The body with everything outside the allow-list removed."""
    return nh3.clean(
        html or "",
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def plain_text(html: str) -> str:
    """The body's words without markup (keywords, diffs of prose)."""
    return nh3.clean(html or "", tags=set(), clean_content_tags={"script", "style"})
