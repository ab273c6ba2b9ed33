"""The readable PDF of the person's data (PRV-6), laid out by WeasyPrint as the certificates are."""

import functools

from django.template.loader import render_to_string


@functools.cache
def _weasyprint():
    """WeasyPrint's HTML class, imported on first use.

    Importing WeasyPrint sets Pillow's process-wide ``LOAD_TRUNCATED_IMAGES``
    to True, which would let a truncated photo pass the registry's upload
    checks in the same process (as prakerja/learning/certificates.py explains):
    the flag goes back to Pillow's default at once.
    """
    from PIL import ImageFile
    from weasyprint import HTML

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return HTML


@functools.cache
def _no_fetching():
    """Everything is inline: a value in the person's data cannot make the server fetch a URL (SSRF, file://)."""
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"data PDFs fetch nothing: {url[:80]}")

    return NoFetching()


def mydata_pdf(context: dict) -> bytes:
    HTML = _weasyprint()  # noqa: N806 (the class)
    html = render_to_string("mydata/data_pdf.html", context)
    return HTML(string=html, url_fetcher=_no_fetching()).write_pdf()
