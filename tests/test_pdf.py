"""PDF documents are built from their template alone: every file and URL they ask for is refused, and the
document is still built (without the resource) rather than failing."""

from __future__ import annotations

import io

import pypdf

from portal.pdf import refuse_every_url, render_pdf


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_a_document_asking_for_files_and_urls_is_built_without_them(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body::after { content: 'LEAKED FROM DISK'; }")
    image = tmp_path / "image.png"
    image.write_bytes(b"not really a png")
    fetcher = refuse_every_url()
    html = f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>T</title>
      <link rel="stylesheet" href="file://{secret}">
      <style>@import url("http://127.0.0.1:9/x.css"); p {{ background: url("https://example.org/b.png"); }}</style>
      </head><body><p>Governor report</p><img src="file://{image}" alt="chart"><img src="http://127.0.0.1:9/t.gif" alt="tracker"></body></html>"""

    data = render_pdf(html, url_fetcher=fetcher)

    assert data.startswith(b"%PDF")
    text = _text(data)
    assert "Governor report" in text
    assert "LEAKED FROM DISK" not in text  # the file's stylesheet was never read
    asked = " ".join(fetcher.refused)
    assert f"file://{secret}" in asked and "127.0.0.1:9/t.gif" in asked  # asked for, and refused


def test_a_plain_document_fetches_nothing():
    fetcher = refuse_every_url()
    data = render_pdf('<!DOCTYPE html><html lang="en-GB"><head><title>T</title></head><body><h1>Training dates</h1></body></html>', url_fetcher=fetcher)
    assert "Training dates" in _text(data)
    assert fetcher.refused == []
