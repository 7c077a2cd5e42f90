"""The body sanitiser against script, event, style and URL attacks."""

import pytest

from carebridge.content.sanitise import plain_text, sanitise


@pytest.mark.parametrize(
    "attack, forbidden",
    [
        ("<script>alert(1)</script>", "alert"),
        ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "evil"),
        ('<img src="x.png" onerror="alert(1)">', "onerror"),
        ('<p onclick="steal()">hi</p>', "onclick"),
        ('<a href="javascript:alert(1)">link</a>', "javascript"),
        ('<a href="JaVaScRiPt:alert(1)">link</a>', "alert"),
        ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "data:"),
        ('<p style="background:url(javascript:alert(1))">x</p>', "style"),
        ("<style>body{display:none}</style>", "display"),
        ('<iframe src="https://evil.example"></iframe>', "iframe"),
        ("<svg><script>alert(1)</script></svg>", "alert"),
        ('<form action="https://evil.example"><input name=x></form>', "form"),
        ("<!-- <script>x</script> -->", "script"),
    ],
)
def test_it_removes(attack, forbidden):
    assert forbidden.lower() not in sanitise(attack).lower()


def test_it_keeps_the_allowed_markup():
    html = (
        "<h2>要点</h2><p><strong>勤洗手</strong></p><ul><li>一</li></ul>"
        '<img src="/media/a.jpg" alt="图"><a href="https://example.org/x">链接</a>'
    )
    clean = sanitise(html)
    for kept in ("<h2>", "<strong>", "<li>", 'src="/media/a.jpg"', 'href="https://example.org/x"'):
        assert kept in clean
    assert 'rel="noopener noreferrer"' in clean


def test_plain_text_has_the_words_only():
    assert plain_text("<p>流感<b>预防</b></p><script>x()</script>") == "流感预防"
