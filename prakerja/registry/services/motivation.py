"""REG-7: the motivation test. The server owns the clock.

The deadline is fixed at the start. Answers after it are refused, and the
test is submitted with the answers given so far by a task scheduled for the
deadline, with a periodic sweep as the safety net, so it ends even when the
browser is gone. The score is stored, never shown, and decides nothing.
"""

import random
from dataclasses import dataclass

import structlog
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.notifications.services import notification_send
from prakerja.programme.selectors import active_programme
from prakerja.registry.errors import RegistryError
from prakerja.registry.models import Question, QuestionKind, TestAnswer, TestAttempt
from prakerja.registry.services.progress import profile_for_update, profile_refresh_completion

log = structlog.get_logger(__name__)


def _draw(count: int) -> list[int]:
    # A mix of kinds: the bank is drawn per kind in proportion, then shuffled.
    ids_by_kind = {kind: list(Question.objects.filter(active=True, kind=kind).values_list("pk", flat=True))
                   for kind in QuestionKind.values}
    total = sum(len(ids) for ids in ids_by_kind.values())
    if total < count:
        raise RegistryError("test_bank_small", _("The test is not available right now. Try again later."))
    rng = random.SystemRandom()
    chosen: list[int] = []
    for ids in ids_by_kind.values():
        chosen += rng.sample(ids, min(len(ids), round(count * len(ids) / total)))
    rest = [pk for ids in ids_by_kind.values() for pk in ids if pk not in set(chosen)]
    chosen += rng.sample(rest, max(0, count - len(chosen)))
    chosen = chosen[:count]
    rng.shuffle(chosen)
    return chosen


def test_start(*, actor) -> TestAttempt:
    """Start the test (or return the running one). A finished test is never restarted."""
    existing = TestAttempt.objects.filter(user=actor).first()
    if existing is not None:
        if existing.submitted_at is not None:
            raise RegistryError("test_done", _("You have already taken the test. It cannot be taken again."))
        return existing
    programme = active_programme()
    now = timezone.now()
    try:
        with transaction.atomic():
            profile_for_update(actor)
            attempt = TestAttempt.objects.create(
                user=actor, question_ids=_draw(programme.test_question_count), started_at=now,
                deadline=now + timezone.timedelta(seconds=programme.test_duration_seconds))
            from prakerja.registry.tasks import autosubmit_test

            transaction.on_commit(lambda: autosubmit_test.schedule((attempt.pk,), eta=attempt.deadline))
    except IntegrityError:  # a double click started it in another request
        return TestAttempt.objects.get(user=actor)
    return attempt


def test_answer(*, actor, question_id: int, choice_index: int) -> TestAttempt:
    """Record (or change) one answer. After the deadline the test is submitted as it stands."""
    attempt = TestAttempt.objects.filter(user=actor).first()
    if attempt is not None and attempt.submitted_at is None and timezone.now() >= attempt.deadline:
        test_submit(attempt_id=attempt.pk, auto=True)
        raise RegistryError("test_time_up", _("Time is up. Your answers so far have been submitted."))
    with transaction.atomic():
        attempt = TestAttempt.objects.select_for_update().filter(user=actor).first()
        if attempt is None:
            raise RegistryError("test_not_started", _("Start the test first."))
        if attempt.submitted_at is not None:
            raise RegistryError("test_done", _("You have already taken the test. It cannot be taken again."))
        if timezone.now() >= attempt.deadline:  # the deadline passed since the check above
            raise RegistryError("test_time_up", _("Time is up. Your answers so far have been submitted."))
        question = Question.objects.filter(pk=question_id).first()
        if question_id not in attempt.question_ids or question is None:
            raise RegistryError("test_question", _("This question is not part of your test."))
        if not 0 <= choice_index < len(question.choices):
            raise RegistryError("test_choice", _("Choose one of the answers."), "choice")
        TestAnswer.objects.update_or_create(attempt=attempt, question=question,
                                            defaults={"choice_index": choice_index})
    return attempt


def _score(attempt: TestAttempt) -> int:
    total = 0
    for answer in attempt.answers.select_related("question"):
        question = answer.question
        if question.kind == QuestionKind.LIKERT:
            total += answer.choice_index + 1  # 1 (strongly disagree) .. 5 (strongly agree)
        elif answer.choice_index == question.correct_index:
            total += 5
    return total


def test_submit(*, attempt_id: int, auto: bool = False) -> bool:
    """Finish the test with the answers given so far; True if this call finished it."""
    with transaction.atomic():
        attempt = TestAttempt.objects.select_for_update().select_related("user").get(pk=attempt_id)
        if attempt.submitted_at is not None:
            return False
        if auto and timezone.now() < attempt.deadline:
            return False  # a task that ran early: the person still has time
        attempt.submitted_at = timezone.now()
        attempt.auto_submitted = auto
        attempt.score = _score(attempt)
        attempt.save(update_fields=["submitted_at", "auto_submitted", "score"])
        profile = profile_for_update(attempt.user)
        profile_refresh_completion(profile_id=profile.pk)
        notification_send(template="test_done", key=f"test-done:{attempt.public_id}", channels=["email", "inbox"],
                          user=attempt.user)
    log.info("test_submitted", attempt=str(attempt.public_id), auto=auto)
    return True


@dataclass(frozen=True)
class TestState:
    """Where a person is in the test, for the page (REG-7: one question per screen)."""

    __test__ = False  # not a pytest test class

    attempt: TestAttempt | None
    question: Question | None = None  # the next unanswered one; None once the test is over
    number: int = 0
    total: int = 0
    seconds_left: int = 0
    finished_now: bool = False  # this call submitted the last answer


def test_continue(*, actor) -> TestState:
    """The next question, submitting the test first if time ran out or nothing is left.

    The server owns the clock: a browser that comes back after the deadline
    finds the test submitted with the answers given so far.
    """
    attempt = TestAttempt.objects.filter(user=actor).first()
    if attempt is None or attempt.submitted_at is not None:
        return TestState(attempt)
    if timezone.now() >= attempt.deadline:
        test_submit(attempt_id=attempt.pk, auto=True)
        attempt.refresh_from_db()
        return TestState(attempt)
    answered = set(attempt.answers.values_list("question_id", flat=True))
    remaining = [pk for pk in attempt.question_ids if pk not in answered]
    if not remaining:
        test_submit(attempt_id=attempt.pk)
        attempt.refresh_from_db()
        return TestState(attempt, finished_now=True)
    return TestState(attempt, question=Question.objects.get(pk=remaining[0]), number=len(answered) + 1,
                     total=len(attempt.question_ids),
                     seconds_left=max(0, int((attempt.deadline - timezone.now()).total_seconds())))

