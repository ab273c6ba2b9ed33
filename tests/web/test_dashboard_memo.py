"""A registrant's dashboard drawn once per state (prakerja/web/views.py, registrant_dashboard).

The memo stands in for the templates, so it must give the very page they
would: for each state a registrant can be in, the page served from the memo
equals the page rendered through the templates, up to the CSRF token, which
is fresh in every response. Each person sees their own name, escaped, and a
token that their own CSRF cookie accepts.
"""

import re
from datetime import timedelta

import pytest
from django.shortcuts import render
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from prakerja.notifications.services import notification_send
from prakerja.regions.models import Regency
from prakerja.registry.models import Profile
from prakerja.waves.models import Application, ConsentVersion
from prakerja.waves.services import application_join
from prakerja.web import views
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture(autouse=True)
def _empty_memo():
    views._dashboard_pages.clear()


def _templates_only(monkeypatch):
    monkeypatch.setattr(views, "registrant_dashboard",
                        lambda request, context: render(request, "web/dashboard.html", context))


def _page(client) -> str:
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return TOKEN.sub('name="csrfmiddlewaretoken" value="T"', response.content.decode())


def _both(client, monkeypatch) -> tuple[str, str]:
    memo = _page(client)
    memo_again = _page(client)  # the second is served from the memo
    with monkeypatch.context() as patch:
        _templates_only(patch)
        plain = _page(client)
    assert memo == memo_again
    return memo, plain


def _decided(user, make_wave, status, reason=""):
    """An application in an earlier wave, closed and its results published."""
    earlier = make_wave(number=3, opens=-30, closes=-20, announce=-10, closed_at=timezone.now() - timedelta(days=20),
                        results_published_at=timezone.now() - timedelta(days=10))
    Application.objects.create(user=user, wave=earlier, status=status, status_reason=reason,
                               province=Regency.objects.get(code="3273").province,
                               consent=ConsentVersion.objects.first(), decided_at=timezone.now())


STATES = {
    "open wave, not joined": lambda user, make_wave: make_wave(),
    "joined": lambda user, make_wave: application_join(actor=user, wave=make_wave(), consent_version=1),
    "no open wave": lambda user, make_wave: None,
    "failed earlier, another wave open (a form)": lambda user, make_wave: (
        _decided(user, make_wave, "failed", "Kuota telah terpenuhi"), make_wave(number=8)),
    "identity pending, three unread": lambda user, make_wave: (
        Profile.objects.filter(user=user).update(identity_status="pending"),
        [notification_send(template="welcome", key=f"k{i}", channels=["inbox"], user=user) for i in range(3)]),
}


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("state", list(STATES))
def test_the_memo_gives_the_page_the_templates_give(client, registrant, make_wave, monkeypatch, state, language):
    STATES[state](registrant, make_wave)
    client.force_login(registrant)
    client.cookies["django_language"] = language
    memo, plain = _both(client, monkeypatch)
    assert memo == plain
    assert len(views._dashboard_pages) == 1


def test_each_person_sees_their_own_name_escaped_and_a_token_of_their_own(registrant, make_user, complete_profile,
                                                                          make_wave, monkeypatch):
    make_wave()
    other = complete_profile(make_user(email="joko@example.id", full_name='<b>Joko&"</b> Santoso'))
    pages = {}
    for user in (registrant, other):
        client = Client()
        client.force_login(user)
        pages[user.pk] = client.get(reverse("dashboard")).content.decode()
        # The token in the page is one this person's CSRF cookie accepts.
        token = TOKEN.search(pages[user.pk]).group(0).split('value="')[1][:-1]
        client_checked = Client(enforce_csrf_checks=True)
        client_checked.cookies = client.cookies
        response = client_checked.post(reverse("set_language"), {"language": "en", "next": "/dashboard/",
                                                                  "csrfmiddlewaretoken": token})
        assert response.status_code == 302
    assert len(views._dashboard_pages) == 1  # one state, one rendering, two people
    assert "Siti" in pages[registrant.pk] and "Joko" not in pages[registrant.pk]
    assert "Halo, &lt;b&gt;Joko&amp;&quot;&lt;/b&gt;</h1>" in pages[other.pk]
    assert "<b>Joko</b>" not in pages[other.pk] and views.NAME_SLOT not in pages[other.pk]
    assert views.CSRF_SLOT not in pages[other.pk]


def test_a_name_that_spells_a_slot_stays_a_name(registrant, make_wave, client):
    registrant.full_name = views.CSRF_SLOT
    registrant.save()
    make_wave()
    client.force_login(registrant)
    page = client.get(reverse("dashboard")).content.decode()
    assert f"Halo, {views.CSRF_SLOT}" in page


def test_a_change_of_state_is_a_new_page(client, registrant, make_wave):
    wave = make_wave()
    client.force_login(registrant)
    assert "Gabung Gelombang" in client.get(reverse("dashboard")).content.decode()
    application_join(actor=registrant, wave=wave, consent_version=1)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Menunggu Gelombang Ditutup" in page and len(views._dashboard_pages) == 2


def test_a_flash_message_is_shown_once_and_never_kept(registrant, make_wave):
    make_wave()
    client = Client()
    client.post(reverse("account_login"), {"login": registrant.email, "password": PASSWORD})
    first = client.get(reverse("dashboard")).content.decode()  # allauth's "signed in" message
    flashed = re.search(r'<p class="msg [^"]*">([^<]+)</p>', first)
    assert flashed is not None and not views._dashboard_pages
    second = client.get(reverse("dashboard")).content.decode()
    assert flashed.group(1) not in second and len(views._dashboard_pages) == 1
    assert all(flashed.group(1) not in page for page in views._dashboard_pages.values())


def test_a_query_string_is_rendered_for_it(client, registrant, make_wave):
    make_wave()
    client.force_login(registrant)
    page = client.get(reverse("dashboard") + "?from=sms").content.decode()
    assert 'value="/dashboard/?from=sms"' in page and not views._dashboard_pages


def test_a_participant_is_rendered_for_them(client, registrant, make_wave):
    _decided(registrant, make_wave, "passed")
    client.force_login(registrant)
    assert client.get(reverse("dashboard")).status_code == 200
    assert not views._dashboard_pages


def test_signed_in_with_a_password_the_page_is_the_same(registrant, make_wave, monkeypatch):
    make_wave()
    client = Client()
    assert client.post(reverse("account_login"), {"login": registrant.email, "password": PASSWORD}).status_code == 302
    client.get(reverse("dashboard"))  # shows allauth's "signed in" message, once
    memo, plain = _both(client, monkeypatch)
    assert memo == plain


def test_one_memo_through_a_registrant_s_changes(client, registrant, make_wave, monkeypatch):
    """Each change below alters the page; with the memo kept throughout, every page is still the templates' own."""
    client.force_login(registrant)
    wave = make_wave(number=8)
    steps = [
        lambda: None,
        lambda: notification_send(template="welcome", key="one", channels=["inbox"], user=registrant),
        lambda: Profile.objects.filter(user=registrant).update(identity_status="pending"),
        lambda: Profile.objects.filter(user=registrant).update(identity_status="rejected"),
        lambda: client.cookies.__setitem__("django_language", "en"),
        lambda: client.cookies.__setitem__("django_language", "id"),
        lambda: Profile.objects.filter(user=registrant).update(identity_status="verified"),
        lambda: application_join(actor=registrant, wave=wave, consent_version=1),
        lambda: Application.objects.filter(user=registrant).update(status="withdrawn",
                                                                  status_reason="NIK tidak terverifikasi"),
    ]
    seen = []
    for step in steps:
        step()
        memo, plain = _both(client, monkeypatch)
        assert memo == plain
        seen.append(memo)
    # A state seen again is served from the memo: one rendering per distinct page.
    assert len(views._dashboard_pages) == len(set(seen)) == 7
