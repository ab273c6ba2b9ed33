"""REG-7: the stored score is the one the answers earn (Likert 1-5, a right answer 5, a wrong one 0)."""

import pytest

from prakerja.programme.selectors import active_programme
from prakerja.registry.models import Question, TestAttempt
from prakerja.registry.services.motivation import test_answer as answer
from prakerja.registry.services.motivation import test_start as start
from prakerja.registry.services.motivation import test_submit as submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_bank(db):
    """A bank the test controls: two Likert items, two arithmetic, one reading."""
    Question.objects.update(active=False)
    programme = active_programme()
    type(programme).objects.filter(pk=programme.pk).update(test_question_count=5)
    likert = ["Sangat tidak setuju", "Tidak setuju", "Ragu-ragu", "Setuju", "Sangat setuju"]
    return {
        "likert_a": Question.objects.create(kind="likert", text="Saya ingin belajar", choices=likert),
        "likert_b": Question.objects.create(kind="likert", text="Saya siap bekerja", choices=likert),
        "sum": Question.objects.create(kind="arithmetic", text="2 + 3 = ?", choices=["4", "5", "6"], correct_index=1),
        "product": Question.objects.create(kind="arithmetic", text="3 x 3 = ?", choices=["6", "9"], correct_index=1),
        "reading": Question.objects.create(kind="reading", passage="Budi pergi ke pasar.", text="Ke mana Budi?",
                                           choices=["Sekolah", "Pasar"], correct_index=1),
    }


def test_the_score_is_computed_from_the_answers(applicant, small_bank):
    attempt = start(actor=applicant)
    assert sorted(attempt.question_ids) == sorted(q.pk for q in small_bank.values())
    answer(actor=applicant, question_id=small_bank["likert_a"].pk, choice_index=4)  # 5 points
    answer(actor=applicant, question_id=small_bank["likert_b"].pk, choice_index=1)  # 2 points
    answer(actor=applicant, question_id=small_bank["sum"].pk, choice_index=1)  # right: 5
    answer(actor=applicant, question_id=small_bank["product"].pk, choice_index=0)  # wrong: 0
    # The reading item is left unanswered: 0.
    assert submit(attempt_id=attempt.pk)
    assert TestAttempt.objects.get(pk=attempt.pk).score == 12


def test_a_changed_answer_counts_once_with_its_last_value(applicant, small_bank):
    attempt = start(actor=applicant)
    answer(actor=applicant, question_id=small_bank["reading"].pk, choice_index=0)
    answer(actor=applicant, question_id=small_bank["reading"].pk, choice_index=1)
    answer(actor=applicant, question_id=small_bank["likert_a"].pk, choice_index=0)
    submit(attempt_id=attempt.pk)
    assert TestAttempt.objects.get(pk=attempt.pk).score == 6
