"""Issue 21, item 1 done-when: the home page shows the active programme's real figures and the waves, in
Indonesian and in English, on a 360px phone, with no horizontal scroll and no axe violation."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from prakerja.programme.selectors import active_programme
from prakerja.selection.models import SelectionRun
from prakerja.web.models import FaqEntry
from prakerja.web.services import faq_entry_save
from prakerja.web.views import rupiah
from tests.browser.test_accessibility import describe, violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def waves(make_wave):
    now = timezone.now()
    make_wave(number=9, opens=-1, closes=3, announce=5)
    make_wave(number=10, opens=10, closes=13, announce=15)
    past = make_wave(number=8, opens=-30, closes=-27, announce=-25, quota=800,
                     results_published_at=now - timedelta(days=25))
    SelectionRun.objects.create(wave=past, status="done", finished_at=now,
                                report={"applied": 12_345, "passed": 800, "quota": 800})
    # A transactional test's flush empties the FAQ the migration seeded.
    if not FaqEntry.objects.exists():
        faq_entry_save(actor="system", entry=None, position=1, question_id="Apa itu Kartu Prakerja?",
                       answer_id="Program bantuan biaya pelatihan.", question_en="What is Kartu Prakerja?",
                       answer_en="A training support programme.", published=True)
    return past


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_home_page_on_a_phone(page, live_server, settings, axe, shot, waves, language):
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    response = page.goto(live_server.url + reverse("home"))
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == language
    main = page.locator("main").inner_text()
    assert ("What is Kartu Prakerja?" in main) is (language == "en")
    assert rupiah(active_programme().training_balance) in main
    assert "Gelombang 9" in main and "Gelombang 10" in main and "Gelombang 8" in main
    assert page.locator(f"a[href='{reverse('selection_results', args=[waves.public_id])}']").count() == 1
    assert page.locator(f"main a[href='{reverse('complaint_form')}']").count() == 1
    page.locator("details.faq summary").first.click()  # opens without JavaScript
    assert page.locator("details.faq").first.get_attribute("open") is not None
    shot(page, f"home-{language}-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    found = violations(axe, page)
    assert not found, describe(f"home-{language}", "/", found)
