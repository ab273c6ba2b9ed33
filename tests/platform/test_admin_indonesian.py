"""The admin is for raw records, and it speaks Indonesian (issue 20): no label left in English.

Signed in as an administrator (a superuser), the test opens the admin index,
every app's index, and for every model in ``admin.site._registry`` (so a
model registered later is walked too) its list, its add page when the admin
allows adding, and the change page of its first row. Each page is read twice,
with the language cookie set to English and to Indonesian; a label that comes
out the same in both is untranslated, unless it is a word both languages use
(``SAME_IN_BOTH``).

The labels are what an operator reads to find their way: the page heading
(the browser's title is the same words and the site's name), the
breadcrumbs, the app and model names in the side bar and on the index,
column headers, form labels and help texts, fieldset and inline headings,
filter titles and the actions. Data (an object's name, a cell's value) is
not a label. A heading such as "Ubah gelombang" embeds a model's name, so
headings are compared word by word: "Pilih profile untuk diubah" shares
"profile" with "Select profile to change".
"""

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.accounts.operators import sign_in
from tests.learning.conftest import (  # noqa: F401
    announced_wave,
    card,
    issue,
    listing,
    make_listing,
    platform,
    provider,
    queued,
    watched,
)
from tests.learning.trainings import purchase

# Words that Indonesian writes as English does, and only these: abbreviations and names (NIK, KK, KTP,
# OTP, SMS, HTTP, ID, MFA: allauth's app, the brand) and the loanwords that the programme's own Indonesian
# (SPEC.md, django.po) keeps: "status", "email", "listing", "video", "platform", "operator", "preset", "webhook",
# "log audit", "kode redeem", and the role names "Administrator" and "Auditor".
SAME_IN_BOTH = {
    "prakerja", "nik", "kk", "ktp", "otp", "sms", "http", "id", "mfa",
    "status", "email", "listing", "video", "platform", "operator", "preset", "webhook", "audit", "log", "redeem",
    "administrator", "auditor",
}

WORD = re.compile(r"[^\W\d_]{2,}")


class Labels(HTMLParser):
    """The labels of one admin page, by kind: whole ones, and headings compared word by word."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.whole: set[str] = set()  # compared as a whole
        self.headings: list[str] = []  # compared word by word (they embed names: "Ubah gelombang")
        self.stack: list[tuple[str, str | None]] = []  # (tag, kind of label it collects, or None)
        self.buffer: list[str] = []
        self.in_thead = False
        self.in_breadcrumbs = 0
        self.breadcrumb_tail: list[str] = []
        self.in_action_select = False
        self.skip = 0  # inside a column header's sort controls ("1", "2": the sort priority)
        self.depth = 0

    # -- which element is a label -------------------------------------------------------
    def kind_of(self, tag: str, attrs: dict) -> str | None:
        classes = set((attrs.get("class") or "").split())
        if tag == "h1":
            return "heading"
        if tag == "caption":
            return "whole"  # an app's name, on the index and in the side bar
        if tag == "th" and (self.in_thead or attrs.get("scope") == "row"):
            return "whole"  # a column header; a model's name on the index and in the side bar
        if tag == "label":
            return "whole"
        if tag in ("h2", "h3") and classes & {"fieldset-heading", "inline-heading"}:
            return "whole"
        if tag == "option" and self.in_action_select:
            return "whole"
        if tag == "div" and "help" in classes:
            return "whole"
        if tag == "a" and self.in_breadcrumbs:
            return "whole"
        return None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "thead":
            self.in_thead = True
        if tag == "div" and "breadcrumbs" in (attrs.get("class") or "").split():
            self.in_breadcrumbs = self.depth + 1
            self.breadcrumb_tail = []
        if tag == "select" and attrs.get("name") == "action":
            self.in_action_select = True
        if tag == "details" and "data-filter-title" in attrs:
            self.whole.add(attrs["data-filter-title"].strip())
        if tag in ("input", "img", "br", "hr", "meta", "link"):
            return
        if not self.skip and "sortoptions" in (attrs.get("class") or "").split():
            self.skip = self.depth + 1
        if tag == "select" and self.stack and self.stack[-1][1]:
            # A label around a select (the actions' "Action:"): the options are read on their own.
            self.finish_label()
        self.depth += 1
        kind = self.kind_of(tag, attrs)
        if kind and not any(k for _t, k in self.stack):
            self.buffer = []
            self.stack.append((tag, kind))
        else:
            self.stack.append((tag, None))

    def handle_endtag(self, tag):
        if tag == "thead":
            self.in_thead = False
        if tag == "select":
            self.in_action_select = False
        if tag in ("input", "img", "br", "hr", "meta", "link"):
            return
        if not self.stack:
            return
        # Tolerate unclosed elements: pop to the matching tag.
        while self.stack:
            open_tag, kind = self.stack.pop()
            if kind:
                self.finish(kind)
            if open_tag == tag:
                break
        if self.skip and self.depth == self.skip:
            self.skip = 0
        if self.in_breadcrumbs and self.depth == self.in_breadcrumbs:
            tail = " ".join(" ".join(self.breadcrumb_tail).split()).strip(" ›")
            if tail:
                self.headings.append(tail)  # "Ubah gelombang": the breadcrumbs' last step
            self.in_breadcrumbs = 0
        self.depth -= 1

    def handle_data(self, data):
        if self.skip:
            return
        if any(kind for _tag, kind in self.stack):
            self.buffer.append(data)
        elif self.in_breadcrumbs:
            self.breadcrumb_tail.append(data)

    def finish_label(self):
        for index, (tag, kind) in enumerate(self.stack):
            if kind:
                self.finish(kind)
                self.stack[index] = (tag, None)

    def finish(self, kind: str):
        text = " ".join("".join(self.buffer).split()).rstrip(":").strip()
        self.buffer = []
        if not text or text.startswith("-----"):
            return
        if kind == "heading":
            self.headings.append(text)
        else:
            self.whole.add(text)


def read(client, url: str, language: str) -> Labels:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    assert response.headers["Content-Language"] == language
    labels = Labels()
    labels.feed(response.content.decode())
    return labels


def words(text: str) -> set[str]:
    return {word.lower() for word in WORD.findall(text)}


def untranslated(english: Labels, indonesian: Labels, data: set[str]) -> set[str]:
    """The Indonesian page's labels that are the English page's, word for word."""
    found = {label for label in indonesian.whole & english.whole
             if label.lower() not in SAME_IN_BOTH and words(label) - SAME_IN_BOTH - data}
    english_words = set().union(*(words(heading) for heading in english.headings))
    for heading in indonesian.headings:
        shared = words(heading) & english_words - SAME_IN_BOTH - data
        if shared:
            found.add(f"{heading!r} (in English: {', '.join(sorted(shared))})")
    return found


@pytest.fixture
def rows(card, listing, watched, make_user):  # noqa: F811
    """At least one row of every model the admin shows, as the platform makes them or straight to the database."""
    from prakerja.audit.services import audit_record
    from prakerja.learning.models import VoidedRedeemCode
    from prakerja.notifications.models import Message
    from prakerja.partners.models import IdempotencyRecord, WebhookDelivery
    from prakerja.selection.models import Announcement, NikList, NikListVersion, SelectionRun
    from tests.accounts.operators import make_profile

    wave = card.wave  # with its applications, cards, issuance and ledger transactions (tests/cards/conftest.py)
    watched(card.user)
    purchase(card, listing, state="finished", stars=5)  # a payment, completion, certificate, review
    paid = purchase(card, listing, state="paid")
    VoidedRedeemCode.objects.create(code="VOID-0001", payment=paid, reason="Bocor di grup percakapan.",
                                    voided_by=card.user)
    registrant = make_user(email="rahma@example.id")
    make_profile(registrant)
    audit_record(actor="system", action="test.admin_walk", target=wave, reason="A row for the audit log.")
    Message.objects.create(idempotency_key="admin-walk", channel="inbox", user=registrant, template="welcome",
                           subject="Selamat datang", body="Halo.")
    WebhookDelivery.objects.create(partner=listing.platform, event="card.revoked", key="admin-walk",
                                   payload={"card": "x"}, next_attempt_at=timezone.now())
    IdempotencyRecord.objects.create(partner=listing.platform, key="admin-walk", request_hash="0" * 64,
                                     status_code=201)
    NikListVersion.objects.create(nik_list=NikList.objects.first(), number=1, source_agency="BKN",
                                  source_date=date(2026, 1, 5), status="ready", is_current=True)
    SelectionRun.objects.create(wave=wave, status="done", finished_at=timezone.now())
    Announcement.objects.create(wave=wave, finished_at=timezone.now() + timedelta(minutes=1), total=5, done=5)
    Authenticator.objects.create(user=registrant, type="totp", data={"secret": "not-a-real-secret"})
    from prakerja.retention.models import DeletionRequest, Erasure

    now = timezone.now()  # PRV-8: an anonymised registrant, and a request that waits for a card's balance
    Erasure.objects.create(user=make_user(email="dihapus@example.id"), rule="request", erased_at=now)
    DeletionRequest.objects.create(user=card.user, requested_at=now, checked_at=now, status="postponed",
                                   reasons=["balance"])
    from prakerja.web.models import FaqEntry  # the seeded rows are gone after any transactional test's flush

    if not FaqEntry.objects.exists():
        FaqEntry.objects.create(question_id="Apa itu Kartu Prakerja?", answer_id="Program bantuan pelatihan.",
                                question_en="What is Kartu Prakerja?", answer_en="A training support programme.")


@pytest.mark.django_db
def test_every_admin_page_is_in_indonesian(client, rows):
    request = RequestFactory().get("/admin/")
    request.user = sign_in(client, "administrator")
    pages = [reverse("admin:index")]
    pages += sorted({reverse("admin:app_list", args=[model._meta.app_label]) for model in admin.site._registry})
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):
            pages.append(reverse("admin:{}_{}_add".format(*info)))
        first = model_admin.get_queryset(request).order_by("pk").first()
        if first is not None:
            pages.append((reverse("admin:{}_{}_change".format(*info), args=[quote(first.pk)]), first))

    missing = {}
    for page in pages:
        url, obj = page if isinstance(page, tuple) else (page, None)
        found = untranslated(read(client, url, "en"), read(client, url, "id"), words(str(obj)) if obj else set())
        if found:
            missing[url] = sorted(found)
    assert len(pages) > 2 * len(admin.site._registry)
    assert not missing, "English labels on Indonesian admin pages:\n" + "\n".join(
        f"{url}: {labels}" for url, labels in missing.items())


# Apps being written alongside this test: their models are walked (list, add page), and their change
# pages too once the fixture `rows` makes a row of each.
NEW_APPS = {"complaints", "stats", "backoffice"}


@pytest.mark.django_db
def test_every_model_of_the_admin_has_a_row_to_walk(rows):
    """The walk above opens a change page only where a row exists: the fixture must keep making one for each."""
    empty = [model._meta.label for model in admin.site._registry
             if model._meta.app_label not in NEW_APPS and not model._default_manager.exists()]
    assert empty == [], f"make a row of these in the fixture `rows`: {empty}"
