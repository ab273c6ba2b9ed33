"""The shared pager (web/_pager.html): the page links keep the list's filters, and the wording fits the list."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation


def pager(query: str, number: int, **context) -> str:
    request = RequestFactory().get(f"/desk/?{query}")
    page = Paginator(range(30), 10).get_page(number)
    with translation.override("en"):
        return render_to_string("web/_pager.html", {"page": page, **context}, request=request)


def test_an_operators_queue_keeps_its_filters_across_pages():
    html = pager("status=waiting&page=2", 2)
    assert 'href="?status=waiting&amp;page=1"' in html and 'href="?status=waiting&amp;page=3"' in html
    assert "Previous" in html and "Next" in html and "Page 2 of 3" in html


def test_a_persons_own_list_reads_newer_and_older():
    html = pager("", 1, by_time=True)
    assert "Newer" not in html and "Older" in html and 'href="?page=2"' in html


def test_one_page_shows_no_pager():
    request = RequestFactory().get("/")
    page = Paginator(range(5), 10).get_page(1)
    assert "pager" not in render_to_string("web/_pager.html", {"page": page}, request=request)
