"""Card jobs: issuance after an announcement and its minute sweep (CRD-1, CRD-3); the first-purchase
deadline's reminders and revocation (CRD-5) and the programme's expiry (CRD-6).

Each is safe to run twice at once: issuance under its lease, the others by
conditional claims on the cards and unique message keys.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from prakerja.cards.services import issuance as issuing
from prakerja.cards.services import revocation


@db_task()
def issue_cards(issuance_id: int) -> int:
    from prakerja.cards.models import CardIssuance

    return issuing.issuance_continue(issuance=CardIssuance.objects.get(pk=issuance_id)).credited


@db_periodic_task(crontab(minute="*"))
def resume_card_issuance() -> list[int]:
    return issuing.issuances_resume()


@db_periodic_task(crontab(minute="*/5"))
def revoke_due_cards() -> int:
    """CRD-5: deadlines are WIB midnights, so a run at 00:00 revokes within five minutes of one."""
    return revocation.cards_revoke_due()


@db_periodic_task(crontab(minute="*/15"))
def send_card_reminders() -> int:
    return revocation.card_reminders_due()


@db_periodic_task(crontab(minute="3"))
def expire_card_balances() -> int:
    return revocation.cards_expire()
