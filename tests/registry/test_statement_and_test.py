"""REG-6 statement; REG-7 motivation test with a server-side clock."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from prakerja.registry.errors import RegistryError
from prakerja.registry.models import Question, QuestionKind, StatementVersion, TestAttempt
from prakerja.registry.selectors import overdue_tests, statement_current
from prakerja.registry.services import motivation
from prakerja.registry.services.statement import statement_accept

pytestmark = pytest.mark.django_db


def test_statement_version_and_time_are_stored(applicant):
    current = statement_current()
    assert current.title == "Pernyataan Pendaftar" and "27 Tahun 2022" in current.text_id
    profile = statement_accept(actor=applicant, version=current.version)
    assert profile.statement_version == current and profile.statement_accepted_at


def test_a_stale_statement_version_is_refused(applicant):
    StatementVersion.objects.create(version=2, title="Pernyataan Pendaftar", text_id="baru", text_en="new")
    with pytest.raises(RegistryError) as error:
        statement_accept(actor=applicant, version=1)
    assert error.value.code == "statement_changed"


def test_the_bank_has_sixty_items_of_every_kind():
    assert Question.objects.filter(active=True).count() >= 60
    for kind in QuestionKind.values:
        assert Question.objects.filter(kind=kind).count() >= 10


def test_each_person_gets_a_random_draw_of_the_programme_length(applicant, make_user):
    from prakerja.programme.selectors import active_programme

    first = motivation.test_start(actor=applicant)
    second = motivation.test_start(actor=make_user(email="b@example.id"))
    count = active_programme().test_question_count
    assert len(first.question_ids) == len(set(first.question_ids)) == count
    assert first.question_ids != second.question_ids
    assert motivation.test_start(actor=applicant).pk == first.pk  # starting twice resumes


def answer_all(user, attempt):
    for question_id in attempt.question_ids:
        motivation.test_answer(actor=user, question_id=question_id, choice_index=0)


def test_finishing_stores_a_score_and_mails_once(applicant, mailoutbox, django_capture_on_commit_callbacks):
    attempt = motivation.test_start(actor=applicant)
    answer_all(applicant, attempt)
    with django_capture_on_commit_callbacks(execute=True):
        assert motivation.test_submit(attempt_id=attempt.pk) is True
        assert motivation.test_submit(attempt_id=attempt.pk) is False
    attempt.refresh_from_db()
    assert attempt.score is not None and attempt.submitted_at and not attempt.auto_submitted
    assert len(mailoutbox) == 1
    with pytest.raises(RegistryError) as error:
        motivation.test_start(actor=applicant)
    assert error.value.code == "test_done"


def test_answers_after_the_deadline_are_refused_and_the_test_autosubmits(applicant):
    attempt = motivation.test_start(actor=applicant)
    motivation.test_answer(actor=applicant, question_id=attempt.question_ids[0], choice_index=1)
    TestAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    assert overdue_tests() == [attempt.pk]
    from prakerja.registry.tasks import sweep_overdue_tests

    assert sweep_overdue_tests.call_local() == 1  # the browser is gone: the server submits
    attempt.refresh_from_db()
    assert attempt.auto_submitted and attempt.answers.count() == 1


def test_a_late_answer_is_refused_and_submits_the_test_as_it_stands(applicant):
    attempt = motivation.test_start(actor=applicant)
    motivation.test_answer(actor=applicant, question_id=attempt.question_ids[0], choice_index=1)
    TestAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    with pytest.raises(RegistryError) as error:
        motivation.test_answer(actor=applicant, question_id=attempt.question_ids[1], choice_index=1)
    assert error.value.code == "test_time_up"
    attempt.refresh_from_db()
    assert attempt.submitted_at and attempt.auto_submitted and attempt.answers.count() == 1
    assert overdue_tests() == []


def test_an_early_autosubmit_does_nothing(applicant):
    attempt = motivation.test_start(actor=applicant)
    assert motivation.test_submit(attempt_id=attempt.pk, auto=True) is False


def test_answer_validation(applicant):
    attempt = motivation.test_start(actor=applicant)
    outside = Question.objects.exclude(pk__in=attempt.question_ids).first()
    with pytest.raises(RegistryError):
        motivation.test_answer(actor=applicant, question_id=outside.pk, choice_index=0)
    with pytest.raises(RegistryError):
        motivation.test_answer(actor=applicant, question_id=attempt.question_ids[0], choice_index=99)


def test_one_question_per_screen_with_a_countdown(client, applicant, monkeypatch):
    monkeypatch.setattr("prakerja.registry.selectors.step_allowed", lambda profile, key: True)
    client.force_login(applicant)
    intro = client.get(reverse("registry_test")).content.decode()
    assert "Mulai Tes Sekarang" in intro
    client.post(reverse("registry_test_start"))
    page = client.get(reverse("registry_test")).content.decode()
    assert "data-countdown" in page and "Berikutnya" in page
    assert page.count('type="radio"') in (4, 5)
    attempt = TestAttempt.objects.get(user=applicant)
    for question_id in attempt.question_ids:
        client.post(reverse("registry_test_answer"), {"question": question_id, "choice": 0})
    response = client.get(reverse("registry_test"))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None
