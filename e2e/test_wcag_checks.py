"""The WCAG 2.2 checks every journey's checkpoint makes beyond axe find what they look for: a page built
to break each of them is reported for each, and a page that keeps them is not."""

from __future__ import annotations

from e2e.conftest import BEYOND_AXE, _reflow_problems, html_errors

BROKEN = """<!DOCTYPE html><html lang="en"><head><title>Something else</title>
<style>
  body { margin: 0; font: 16px sans-serif; }
  a:focus, button:focus { outline: none; }
  .tiny { width: 12px; height: 12px; padding: 0; border: 0; }
  .wide { width: 600px; height: 10px; background: #ccc; }
  .cover { position: absolute; left: 0; top: 150px; width: 300px; height: 60px; background: white; }
</style></head><body>
<main><h1>The heading</h1>
<p><button class="tiny" id="first">a</button><button class="tiny" id="second">b</button></p>
<p><a href="#x" id="plain" style="display:inline-block;padding:10px">No focus style</a></p>
<div style="position:relative;height:120px"></div>
<button id="covered" style="position:absolute;left:0;top:160px;height:40px">Covered</button>
<div class="cover"></div>
<div class="wide"></div>
</main></body></html>"""

GOOD = """<!DOCTYPE html><html lang="en"><head><title>The heading – a service</title>
<style> body { margin: 0; font: 16px sans-serif; } a:focus, button:focus { outline: 3px solid #fd0; } </style></head>
<body><main><h1>The heading</h1><p><button style="min-height:40px">Continue</button> <a href="#x">a link in a sentence</a>.</p></main></body></html>"""


def test_a_page_that_breaks_each_check_is_reported_for_each(page):
    page.set_viewport_size({"width": 800, "height": 600})
    page.set_content(BROKEN)
    problems = page.evaluate(BEYOND_AXE)
    text = "\n".join(problems)
    assert 'title "Something else" does not start with the h1 "The heading"' in text
    assert "target smaller than 24 by 24 CSS pixels (12x12) with another within 24px: button#first" in text
    assert 'no visible focus indicator: a#plain "No focus style"' in text
    assert 'hidden by div "": button#covered "Covered"' in text
    assert any("wider than 320 CSS pixels: div.wide" in p for p in _reflow_problems(page))
    assert page.viewport_size == {"width": 800, "height": 600}


def test_a_page_that_keeps_them_passes(page):
    page.set_viewport_size({"width": 800, "height": 600})
    page.set_content(GOOD)
    assert page.evaluate(BEYOND_AXE) == []
    assert _reflow_problems(page) == []


def test_the_html_checker_reports_duplicate_ids_and_bad_times(tmp_path):
    """The Nu HTML Checker run over every saved page finds what the validity review found: a duplicate id,
    a time with six digits of a second; a valid page has no error."""
    bad, good = tmp_path / "bad.html", tmp_path / "good.html"
    bad.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><p id="a">x</p><p id="a">y</p>'
        '<time datetime="2026-12-07T10:00:00.123456">now</time></body></html>'
    )
    good.write_text(GOOD)
    errors = html_errors([bad, good])
    assert any("Duplicate ID" in e for e in errors) and any("fraction of a second" in e for e in errors)
    assert all(e.split(":")[0].endswith("bad.html") for e in errors)
