"""The difference between two versions of an article, for the back office: side by side
(difflib.HtmlDiff, which escapes the text it shows) over the body's source, one block per line."""

import difflib
import re

from django.utils.translation import gettext as _

_BLOCK_END = re.compile(r"(</(?:p|h[1-6]|li|ul|ol|blockquote|figure|table|tr)>|<br>)")


def _lines(version) -> list[str]:
    body = _BLOCK_END.sub(r"\1\n", version.body)
    return [version.title, version.summary, "", *[line for line in body.splitlines() if line]]


def side_by_side(old, new) -> str:
    """An HTML table (escaped) comparing version ``old`` with ``new``."""
    return difflib.HtmlDiff(wrapcolumn=60).make_table(
        _lines(old),
        _lines(new),
        fromdesc=_("第 %d 版") % old.number,
        todesc=_("第 %d 版") % new.number,
        context=False,
    )
