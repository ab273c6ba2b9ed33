"""PRV-8 retention: the rules, the set-based job and the deletion request.

Rules (settings.RETENTION, documented in settings.py):

- ``photos``: the KTP photo and selfie of a verified identity are deleted
  PHOTOS_AFTER_DAYS after the check (held by an open complaint: it may be about the identity);
- ``requests``: postponed deletion requests are tried again;
- ``never_selected``: a registrant who never passed a selection (no passed or
  revoked application) is anonymised NEVER_SELECTED_AFTER_DAYS after the
  announcement of their last wave, or after signing up if they never joined.

Anonymising keeps the rows that statistics, accounting and the law need
(users, applications, cards, payments, completions, certificates, reviews'
stars, tickets' categories and times, ledger, audit) and blanks what names
the person (``_anonymise`` lists it all). The audit log is append-only
(triggers) and is never touched, which is why nothing personal may reach it
at write time: a participant is ``participant:<public ID>`` as actor and as
target (audit.services), and in the ledger (ledger.services). Every row the
job writes carries counts, never a person.

The dry-run and the run share one function, so the counts the dry-run
reports are the counts the run applies, rule by rule, in the same order.
"""

import logging
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.accounts import usercache
from prakerja.accounts.models import User
from prakerja.audit.services import SYSTEM, audit_record
from prakerja.cards.models import Card
from prakerja.complaints.models import OPEN_STATUSES, Evidence, PendingComplaint, Ticket, TicketMessage
from prakerja.core.errors import DomainError
from prakerja.learning.models import ANONYMOUS_PARTICIPANT, CardBinding, Certificate, Completion, Payment, Review
from prakerja.notifications.models import Message, Status
from prakerja.registry.models import IdentityStatus, PhoneVerification, Profile
from prakerja.registry.photos import delete_photo
from prakerja.retention import postponements
from prakerja.retention.models import DeletionRequest, DeletionStatus, Erasure, ErasureRule
from prakerja.waves.models import Application
from prakerja.waves.states import ApplicationStatus

log = logging.getLogger(__name__)

# An address under .invalid (RFC 2606) can never be delivered to; the public ID keeps it unique.
PSEUDONYM_DOMAIN = "anonymised.invalid"
# What the public certificate page (learning.certificates) shows for an anonymised participant: the page still
# says the certificate is genuine, with no name. Not derived from the account: the user's public ID is never
# shown in public, and a certificate number is all an employer needs.
ANONYMOUS_NAME = ANONYMOUS_PARTICIPANT
# The last error of a message that will not be sent because its recipient was anonymised.
NOT_SENT = "not sent: the recipient's personal data was erased (PRV-8)"
RULES = ("photos", "requests", "never_selected")
PHOTO_HOLDS = ("open_complaint",)


class RetentionError(DomainError):
    pass


def _config(name):
    return settings.RETENTION[name]


def _person_holds():
    return [code for code in postponements.REASONS]


def _not_erased(ref="pk"):
    return ~Exists(Erasure.objects.filter(user=OuterRef(ref)))


def _never_selected(now):
    """Users the never_selected rule reaches, before postponements."""
    cutoff = now - timedelta(days=_config("NEVER_SELECTED_AFTER_DAYS"))
    last_wave = Subquery(Application.objects.filter(user=OuterRef("pk")).order_by("-wave__announce_at")
                         .values("wave__announce_at")[:1])
    passed = Application.objects.filter(user=OuterRef("pk"),
                                        status__in=[ApplicationStatus.PASSED, ApplicationStatus.REVOKED])
    return (User.objects.filter(is_staff=False, is_superuser=False)
            .filter(_not_erased(), ~Exists(passed), ~Exists(Card.objects.filter(user=OuterRef("pk"))),
                    ~Exists(DeletionRequest.objects.filter(user=OuterRef("pk"), status=DeletionStatus.POSTPONED)))
            .annotate(last_seen=Coalesce(last_wave, F("date_joined")))
            .filter(last_seen__lte=cutoff))


def _requests(now):
    return User.objects.filter(
        _not_erased(), Exists(DeletionRequest.objects.filter(user=OuterRef("pk"), status=DeletionStatus.POSTPONED)))


def _photos(now):
    cutoff = now - timedelta(days=_config("PHOTOS_AFTER_DAYS"))
    return (Profile.objects.filter(identity_status=IdentityStatus.VERIFIED, identity_checked_at__lte=cutoff)
            .filter(~Q(ktp_photo="") | ~Q(selfie="")))


def _scope(rule, now):
    """(queryset, the column that is the user, the reasons that hold it back)."""
    if rule == "photos":
        return _photos(now), "user_id", list(PHOTO_HOLDS)
    if rule == "requests":
        return _requests(now), "pk", _person_holds()
    return _never_selected(now), "pk", _person_holds()


def _annotated(rule, now):
    queryset, ref, codes = _scope(rule, now)
    queryset = queryset.annotate(**{f"hold_{code}": postponements.REASONS[code](OuterRef(ref)) for code in codes})
    clear = Q(**{f"hold_{code}": False for code in codes})
    return queryset, clear, codes


def count(rule, now) -> dict:
    queryset, clear, codes = _annotated(rule, now)
    return {"eligible": queryset.count(), "apply": queryset.filter(clear).count(),
            "postponed": {code: queryset.filter(**{f"hold_{code}": True}).count() for code in codes}}


def retention_run(*, dry_run: bool, now=None) -> dict:
    """Every rule in order; with ``dry_run`` only the counts. The caller owns no transaction:
    each batch commits on its own, so a run stopped half-way keeps what it did and the next one goes on."""
    now = now or timezone.now()
    report = {}
    for rule in RULES:
        report[rule] = count(rule, now)
        if not dry_run:
            report[rule]["apply"] = _apply(rule, now)
    if not dry_run:
        _refresh_postponed(now)
    return report


def _apply(rule, now) -> int:
    done = 0
    size = _config("BATCH_SIZE")
    while True:
        with transaction.atomic():
            queryset, clear, _codes = _annotated(rule, now)
            # Conditions again under the lock: someone may have joined a wave or filed a complaint since the count.
            ids = list(queryset.filter(clear).select_for_update().order_by("pk")[:size].values_list("pk", flat=True))
            if not ids:
                return done
            if rule == "photos":
                _delete_photos(ids)
            else:
                _anonymise(ids, rule=ErasureRule.REQUEST if rule == "requests" else ErasureRule.NEVER_SELECTED,
                           now=now)
        done += len(ids)


def _delete_photos(profile_ids) -> None:
    names = [name for pair in Profile.objects.filter(pk__in=profile_ids).values_list("ktp_photo", "selfie")
             for name in pair if name]
    Profile.objects.filter(pk__in=profile_ids).update(ktp_photo="", selfie="")
    audit_record(actor=SYSTEM, action="retention.apply", data={"rule": "photos", "people": len(profile_ids),
                                                                "files": len(names)})
    _delete_files_on_commit(names)


def _delete_files_on_commit(names) -> None:
    # Storage is not transactional: the files go only once the rows that named them are blank for good.
    # A file whose deletion fails is orphaned (a random name nothing points to), never a dangling reference.
    def delete():
        for name in names:
            try:
                delete_photo(name)  # any name in the private storage: photos and complaint evidence
            except OSError:
                log.warning("retention: a file could not be deleted")
    transaction.on_commit(delete)


def _pseudonym_email():
    return Concat(Value("anon-"), Cast("public_id", CharField()), Value(f"@{PSEUDONYM_DOMAIN}"),
                  output_field=CharField())


def _erased_key():
    return Concat(Value("erased:"), Cast("public_id", CharField()), output_field=CharField())


def _anonymise(user_ids, *, rule, now) -> None:
    """Blank what names these people; keep the rows. Set-based: a handful of statements per batch, whatever its size.

    Kept, for statistics, accounting and the law: the rows themselves, their
    amounts, statuses, codes, categories and times. Blanked or replaced: the
    account (email pseudonym), profile (identity, address, phone, photos),
    phone verifications, email addresses, second factors, the card's number,
    the buyer and participant as partners reported them, the name on the
    certificate (``ANONYMOUS_NAME``), review texts, every message sent to
    them, their complaint tickets' contacts, texts and evidence files, and
    complaints they started while locked out. Files and cached certificate
    PDFs go once the transaction commits.
    """
    profiles = Profile.objects.filter(user_id__in=user_ids)
    names = [name for pair in profiles.values_list("ktp_photo", "selfie") for name in pair if name]
    # The addresses as the person gave them, read before the account is blanked: rows that are not tied to
    # the account (a complaint filed while locked out, its messages) are found by them.
    addresses = _addresses_of(user_ids)
    _anonymise_messages(user_ids, addresses)
    names += _anonymise_complaints(user_ids, addresses)
    certificates = _anonymise_learning(user_ids)
    User.objects.filter(pk__in=user_ids).update(
        email=_pseudonym_email(), full_name="", is_active=False, password="!", last_login=None)
    usercache.forget(user_ids)  # signed out at once, not when the cached row expires
    EmailAddress.objects.filter(user_id__in=user_ids).delete()
    Authenticator.objects.filter(user_id__in=user_ids).delete()
    # The admin's history names a changed account by its email (User.__str__).
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User),
                            object_id__in=[str(pk) for pk in user_ids]).update(object_repr="anonymised")
    # Kept for statistics: identity status and dates, birth year, sex, domicile regency, education, employment.
    # nik_index becomes a unique non-HMAC value: a verified profile must keep one (registry_one_account_per_nik)
    # and the number may be registered again.
    profiles.update(
        nik_encrypted="", nik_index=_erased_key(), nik_masked="", kk_encrypted="", kk_index="",
        birth_date_encrypted="", birth_month=None, identity_reasons=[], ktp_address="", domicile_street="",
        ktp_photo="", selfie="", phone=None)
    PhoneVerification.objects.filter(user_id__in=user_ids).delete()
    # The card and its ledger account stay (CRD-3: the ledger needs them); its number goes. The blind index
    # becomes unique and matches no number, so a partner's lookup finds nothing; last4 stays for the ledger's
    # and the platforms' records.
    Card.objects.filter(user_id__in=user_ids).update(number_encrypted="", number_index=_erased_key())
    Erasure.objects.bulk_create([Erasure(user_id=pk, rule=rule, erased_at=now) for pk in user_ids])
    DeletionRequest.objects.filter(user_id__in=user_ids, status=DeletionStatus.POSTPONED).update(
        status=DeletionStatus.DONE, reasons=[], checked_at=now, done_at=now)
    audit_record(actor=SYSTEM, action="retention.apply", data={"rule": rule, "people": len(user_ids),
                                                                "files": len(names)})
    _delete_files_on_commit(names)
    if certificates:
        transaction.on_commit(lambda: _forget_certificate_pdfs(certificates))


def _addresses_of(user_ids) -> list[str]:
    """Every email (lower case) and phone the people gave: the account's, their other addresses, their phone."""
    emails = set(User.objects.filter(pk__in=user_ids).values_list("email", flat=True))
    emails |= set(EmailAddress.objects.filter(user_id__in=user_ids).values_list("email", flat=True))
    phones = set(Profile.objects.filter(user_id__in=user_ids, phone__isnull=False).values_list("phone", flat=True))
    return sorted({email.lower() for email in emails if email} | {phone for phone in phones if phone})


def _anonymise_messages(user_ids, addresses) -> None:
    """Every message to them, whatever its state: the address, subject and body go; a queued one is not sent.

    A message sent to one of their addresses without an account (the code of a complaint filed while locked
    out) is found by its address (user IS NULL: the inbox index) and loses its key too, which holds the address.
    """
    unlinked = list(Message.objects.annotate(address=Lower("to_address"))
                    .filter(user__isnull=True, address__in=addresses).values_list("pk", flat=True))
    if unlinked:
        Message.objects.filter(pk__in=unlinked).update(idempotency_key=_erased_key())
    messages = Message.objects.filter(Q(user_id__in=user_ids) | Q(pk__in=unlinked))
    messages.update(to_address="", subject="", body="", html_body="", last_error="")  # an error may quote the address
    messages.filter(status__in=[Status.QUEUED, Status.SENDING]).update(
        status=Status.FAILED, next_attempt_at=None, locked_until=None, last_error=NOT_SENT)


def _anonymise_complaints(user_ids, addresses) -> list[str]:
    """Their tickets keep category, status and times (CMP statistics); contacts, texts and evidence go.

    Also a ticket filed with one of their emails while locked out and not tied to the account, once it is
    no longer open (an open one is the desk's work in progress), and the complaints they started while
    locked out and never confirmed (the form's data). Returns the evidence files to delete.
    """
    unlinked = (Ticket.objects.annotate(address=Lower("email"))
                .filter(user__isnull=True, address__in=addresses).exclude(status__in=OPEN_STATUSES))
    ticket_ids = list(Ticket.objects.filter(Q(user_id__in=user_ids) | Q(pk__in=unlinked.values("pk")))
                      .values_list("pk", flat=True))
    pending_ids = list(PendingComplaint.objects.annotate(address=Lower("email"))
                       .filter(Q(address__in=addresses) | Q(ticket_id__in=ticket_ids)).values_list("pk", flat=True))
    evidence = Evidence.objects.filter(Q(ticket_id__in=ticket_ids) | Q(pending_id__in=pending_ids))
    files = list(evidence.exclude(file="").values_list("file", flat=True))
    Ticket.objects.filter(pk__in=ticket_ids).update(name="", phone="", email=f"anon@{PSEUDONYM_DOMAIN}",
                                                    description="")
    TicketMessage.objects.filter(ticket_id__in=ticket_ids).update(body="")
    evidence.update(file="", original_name="")
    PendingComplaint.objects.filter(pk__in=pending_ids).delete()  # and their evidence rows (CASCADE)
    return files


def _anonymise_learning(user_ids) -> list[str]:
    """Purchases, completions, certificates, reviews: amounts, statuses, codes, scores, stars and times stay.

    Returns the numbers of their certificates, whose cached PDFs (with the name) must go.
    """
    mine = Q(card__user_id__in=user_ids)
    Payment.objects.filter(mine).update(buyer_name="", buyer_email="", buyer_phone="", platform_user_id="")
    CardBinding.objects.filter(mine).update(platform_user_id="")  # unique per (card, platform): blank is fine
    Completion.objects.filter(payment__card__user_id__in=user_ids).update(
        participant_name="", participant_email="", participant_phone="")
    certificates = Certificate.objects.filter(payment__card__user_id__in=user_ids)
    numbers = list(certificates.values_list("number", flat=True))
    certificates.update(participant_name=ANONYMOUS_NAME)
    Review.objects.filter(user_id__in=user_ids).update(text="")  # the stars stay: a course's rating stays true
    return numbers


def _forget_certificate_pdfs(numbers) -> None:
    """The certificate PDF is cached for a week per number and language: with the name that was on it."""
    from prakerja.learning.certificates import pdf_key

    cache.delete_many([pdf_key(number, language) for number in numbers for language, _name in settings.LANGUAGES])


def _refresh_postponed(now) -> None:
    """Record today's reasons on each request still postponed: one UPDATE per combination of reasons."""
    codes = _person_holds()
    rows = postponements.annotate(User.objects.filter(pk__in=DeletionRequest.objects.filter(
        status=DeletionStatus.POSTPONED).values("user_id")), codes).values("pk", *(f"hold_{c}" for c in codes))
    groups: dict[tuple, list[int]] = {}
    for row in rows.iterator(chunk_size=2000):
        groups.setdefault(tuple(c for c in codes if row[f"hold_{c}"]), []).append(row["pk"])
    with transaction.atomic():
        for reasons, user_ids in groups.items():
            for start in range(0, len(user_ids), _config("BATCH_SIZE")):
                DeletionRequest.objects.filter(status=DeletionStatus.POSTPONED,
                                               user_id__in=user_ids[start:start + _config("BATCH_SIZE")]).update(
                    reasons=list(reasons), checked_at=now)


def deletion_request(*, user) -> DeletionRequest:
    """PRV-8: a person asks for their account to be deleted.

    Done at once unless something holds it (postponements); then recorded
    with the reasons and tried again by the nightly job. Same anonymisation as the job.
    """
    if user.is_staff or user.is_superuser:
        raise RetentionError("operator", _("Operator accounts are closed by an administrator."))
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).get()
        if Erasure.objects.filter(user=user).exists():
            raise RetentionError("erased", _("This account has already been deleted."))
        reasons = postponements.reasons_for(user, _person_holds())
        request = DeletionRequest.objects.filter(user=user, status=DeletionStatus.POSTPONED).first()
        if request is None:
            request = DeletionRequest.objects.create(user=user, requested_at=now, checked_at=now, reasons=reasons,
                                                     status=DeletionStatus.POSTPONED)
        # Not actor=user: audit_record would write the email as actor_label, and the audit log outlives it.
        actor = f"participant:{user.public_id}"
        if reasons:
            DeletionRequest.objects.filter(pk=request.pk).update(reasons=reasons, checked_at=now)
            audit_record(actor=actor, action="retention.deletion_postponed", target=request,
                         data={"reasons": reasons})
        else:
            audit_record(actor=actor, action="retention.deletion_requested", target=request)
            _anonymise([user.pk], rule=ErasureRule.REQUEST, now=now)
        request.refresh_from_db()
    return request
