"""Card jobs: issuance after an announcement, and its minute sweep (CRD-1, CRD-3)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from prakerja.cards.services import issuance as issuing


@db_task()
def issue_cards(issuance_id: int) -> int:
    from prakerja.cards.models import CardIssuance

    return issuing.issuance_continue(issuance=CardIssuance.objects.get(pk=issuance_id)).credited


@db_periodic_task(crontab(minute="*"))
def resume_card_issuance() -> list[int]:
    return issuing.issuances_resume()
