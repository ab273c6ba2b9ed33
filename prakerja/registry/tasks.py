from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from prakerja.registry import selectors
from prakerja.registry.services import identity, motivation


@db_task()
def check_identity(profile_id: int):
    return identity.identity_check(profile_id=profile_id)


@db_periodic_task(crontab(minute="*"))
def recheck_pending_identities() -> int:
    ids = selectors.identities_due()
    for profile_id in ids:
        check_identity(profile_id)
    return len(ids)


@db_task()
def autosubmit_test(attempt_id: int) -> bool:
    return motivation.test_submit(attempt_id=attempt_id, auto=True)


@db_periodic_task(crontab(minute="*"))
def sweep_overdue_tests() -> int:
    # The scheduled task is the fast path; this catches one lost with a worker.
    ids = selectors.overdue_tests()
    for attempt_id in ids:
        motivation.test_submit(attempt_id=attempt_id, auto=True)
    return len(ids)
