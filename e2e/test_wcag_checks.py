"""The WCAG 2.2 checks every journey's checkpoint makes beyond axe find what they look for: a page built
to break each of them is reported for each, and a page that keeps them is not."""

from __future__ import annotations

from e2e.conftest import BEYOND_AXE, _reflow_problems, html_errors, same_titles

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
<div style="width:700px;height:10px" class="wider"></div>
<p><input type="password" id="secret" aria-label="Password"> <input id="code" aria-label="Code" onpaste="return false"></p>
<p><a href="#y" tabindex="3" id="jumps">Jumps the queue</a> <img draggable="true" id="drag" alt="Drag me" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></p>
<div style="display:flex;flex-direction:column-reverse"><button id="first-in-code">First in the code</button><button id="shown-first">Shown first</button></div>
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
    assert "a positive tabindex takes focus out of the reading order: a#jumps" in text
    assert "a password field a password manager cannot fill" in text and "input#secret" in text
    assert "the page handles copying or pasting itself: input#code" in text
    assert "an element to drag, with no single-pointer way (2.5.7): img#drag" in text
    reflow = "\n".join(_reflow_problems(page))
    assert "wider than 320 CSS pixels (400% zoom): div.wide" in reflow
    assert "wider than 640 CSS pixels (200% zoom): div.wider" in reflow and "640 CSS pixels (200% zoom): div.wide " not in reflow
    assert 'focus goes back up the page, from button#first-in-code "First in the code" to button#shown-first "Shown first"' in reflow
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


def test_two_kinds_of_page_with_one_title_are_found():
    """A title given to two kinds of page is reported (with where each was seen); one page seen twice, or a
    form drawn again with its errors at the address it was sent to, is not."""
    titles = [
        ("Referral – Portal", "http://x/referrals/2f1c1f0e-8c59-4a8e-9d0b-1b1d6d0f2a11", "the referral"),
        ("Referral – Portal", "http://x/referrals/7a1c1f0e-8c59-4a8e-9d0b-1b1d6d0f2a12", "another referral"),
        ("Referral – Portal", "http://x/referrals/7a1c1f0e-8c59-4a8e-9d0b-1b1d6d0f2a12/decision", "the decision"),
        ("Pupils – Portal", "http://x/pupils", "the register"),
        ("Error: Pupils – Portal", "http://x/pupils/import", "a refused file"),
    ]
    assert same_titles(titles) == ['"Referral – Portal" is the title of 2 pages: /referrals/{id} (the referral); /referrals/{id}/decision (the decision)']
