"""Tickets the system opens and closes with their events (CMP-3).

A held completion report (TRN-4) needs a person to decide it: a ticket opens for it on the
participant's account, and closes with a note when the partner manager decides the report.
Held incentives (INC-3) will connect here the same way.
"""

from django.dispatch import receiver
from django.utils.translation import gettext as _
from django.utils.translation import override

from prakerja.complaints.categories import Category
from prakerja.complaints.services import system_ticket_close, system_ticket_open
from prakerja.learning import signals as learning


def completion_event(completion) -> str:
    return f"completion:{completion.public_id}"


@receiver(learning.completion_held, dispatch_uid="complaints.completion_held")
def open_for_held_completion(sender, completion, **kwargs):
    payment = completion.payment
    user = payment.card.user
    with override("id"):  # the desk works in Indonesian; the text is stored, not re-rendered
        description = _("The provider %(provider)s reported the training %(course)s as finished, but the report "
                        "does not match the account (%(fields)s). It waits in the held-completions queue for the "
                        "partner manager's decision.") % {
            "provider": completion.provider.name, "course": payment.listing.course.title,
            "fields": ", ".join(completion.mismatches)}
    system_ticket_open(event_key=completion_event(completion), user=user, category=Category.CERTIFICATE,
                       subcategory="completion_held", description=description, now=completion.reported_at)


@receiver(learning.completion_decided, dispatch_uid="complaints.completion_decided")
def close_for_decided_completion(sender, completion, accepted, reason, **kwargs):
    with override("id"):
        note = (_("The report was accepted and the certificate issued: %(reason)s") if accepted
                else _("The report was rejected: %(reason)s")) % {"reason": reason}
    system_ticket_close(event_key=completion_event(completion), note=note)
