"""PRV-5, PRV-6, PRV-7: everything held about a person, and every access to it by someone else.

Read only. The full NIK and KK are decrypted here, for the person's own page
and download, and nowhere else on a participant's screen (PRV-2).
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.roles import ROLES, SLUG_BY_GROUP
from prakerja.audit.models import AuditEntry

# --- everything held -----------------------------------------------------------------------


@dataclass
class Section:
    key: str  # stable, English: the JSON download's key
    title: str
    fields: list[tuple[str, str]]  # (key, label)
    rows: list[dict] = field(default_factory=list)
    single: bool = False  # one record (a <dl>), not a list (a table)

    @property
    def table(self) -> list[list[tuple[str, object]]]:
        return [[(key, row.get(key)) for key, _label in self.fields] for row in self.rows]

    @property
    def pairs(self) -> list[tuple[str, str, object]]:
        row = self.rows[0] if self.rows else {}
        return [(key, label, row.get(key)) for key, label in self.fields]


def _display(obj, name: str) -> str:
    value = getattr(obj, name)
    return str(getattr(obj, f"get_{name}_display")()) if value else ""


def _account(user) -> Section:
    return Section("account", _("Account"), [
        ("email", _("Email")), ("full_name", _("Full name")), ("language", _("Language")),
        ("date_joined", _("Account created")), ("email_confirmed_at", _("Email confirmed")),
    ], [{"email": user.email, "full_name": user.full_name, "language": user.language,
         "date_joined": user.date_joined, "email_confirmed_at": user.email_confirmed_at}], single=True)


def _profile(profile) -> Section:
    from prakerja.registry import crypto
    from prakerja.registry.selectors import birth_date_of

    row = {}
    if profile is not None:
        row = {
            # Unmasked, for the person themself only (PRV-2 applies to every other screen).
            "nik": crypto.decrypt(profile.nik_encrypted) if profile.nik_encrypted else "",
            "kk": crypto.decrypt(profile.kk_encrypted) if profile.kk_encrypted else "",
            "birth_date": birth_date_of(profile),
            "sex": "" if profile.female is None else (_("Female") if profile.female else _("Male")),
            "identity_status": _display(profile, "identity_status"),
            "ktp_address": profile.ktp_address,
            "domicile_regency": str(profile.domicile_regency or ""),
            "domicile_street": profile.domicile_street,
            "education": _display(profile, "education"),
            "employment_status": _display(profile, "employment_status"),
            "identity_submitted_at": profile.identity_submitted_at,
            "identity_checked_at": profile.identity_checked_at,
            "personal_data_at": profile.personal_data_at,
            "completed_at": profile.completed_at,
        }
    return Section("profile", _("Profile"), [
        ("nik", _("NIK")), ("kk", _("KK number")), ("birth_date", _("Date of birth")), ("sex", _("Sex")),
        ("identity_status", _("Identity status")), ("ktp_address", _("Address as on the KTP")),
        ("domicile_regency", _("Domicile: regency or city")), ("domicile_street", _("Domicile: street address")),
        ("education", _("Education")), ("employment_status", _("Employment status")),
        ("identity_submitted_at", _("Identity submitted")), ("identity_checked_at", _("Identity checked")),
        ("personal_data_at", _("Personal data saved")), ("completed_at", _("Profile completed")),
    ], [row] if row else [], single=True)


def _photos(profile) -> Section:
    rows = []
    if profile is not None:
        for kind, name, label in (("ktp", profile.ktp_photo, _("KTP photo")), ("selfie", profile.selfie, _("Selfie"))):
            if name:
                rows.append({"photo": str(label), "link": reverse("registry_photo", args=[profile.public_id, kind])})
    return Section("photos", _("Photos"), [("photo", _("Photo")), ("link", _("Link"))], rows)


def _phone(profile) -> Section:
    rows = []
    if profile is not None and profile.phone:
        rows = [{"phone": profile.phone, "phone_verified_at": profile.phone_verified_at}]
    return Section("phone", _("Phone"), [("phone", _("Mobile number")), ("phone_verified_at", _("Verified"))],
                   rows, single=True)


def _consents(profile, applications) -> Section:
    """PRV-7: the statement (REG-6) and each wave's agreement (WAV-2), with versions and times."""
    rows = []
    if profile is not None and profile.statement_accepted_at:
        version = profile.statement_version
        rows.append({"consent": str(_("Statement of eligibility")), "version": version.version if version else None,
                     "title": version.title if version else "", "accepted_at": profile.statement_accepted_at})
    for application in applications:
        label = _("Kartu Prakerja agreement, wave %(number)s") % {"number": application.wave.number}
        rows.append({"consent": str(label),
                     "version": application.consent.version, "title": str(application.consent),
                     "accepted_at": application.joined_at})
    return Section("consents", _("Consents given"), [
        ("consent", _("Consent")), ("version", _("Version")), ("title", _("Text")), ("accepted_at", _("Given at"))],
        rows)


def _applications(applications, now) -> Section:
    from prakerja.waves.selectors import application_summary

    rows = []
    for application in applications:
        # WAV-6: a result not yet published reads as the selection running, here as on the dashboard.
        summary = application_summary(application.status, application.status_reason, application.wave.number,
                                      application.wave.results_published_at, now,
                                      selection_started_at=application.wave.selection_started_at)
        rows.append({"wave": application.wave.number, "province": str(application.province),
                     "joined_at": application.joined_at, "status": str(summary.get_status_display()),
                     "status_reason": summary.status_reason})
    return Section("applications", _("Applications and results"), [
        ("wave", _("Wave")), ("province", _("Province")), ("joined_at", _("Joined")), ("status", _("Status")),
        ("status_reason", _("Reason"))], rows)


def _card(card) -> tuple[Section, Section]:
    from prakerja.ledger.models import Posting
    from prakerja.ledger.selectors import balance_of

    rows, movements = [], []
    if card is not None:
        rows = [{"number": card.masked, "status": _display(card, "status"), "status_reason": card.status_reason,
                 "issued_at": card.issued_at, "credited_at": card.credited_at, "balance": balance_of(card.account),
                 "purchase_deadline": card.purchase_deadline, "first_purchase_at": card.first_purchase_at,
                 "ended_at": card.ended_at}]
        postings = (Posting.objects.filter(account_id=card.account_id).select_related("transaction")
                    .order_by("-transaction__created_at", "-pk"))
        movements = [{"at": posting.transaction.created_at, "kind": _display(posting.transaction, "kind"),
                      "amount": posting.amount, "memo": posting.transaction.memo} for posting in postings]
    card_section = Section("card", _("Card"), [
        ("number", _("Card number")), ("status", _("Status")), ("status_reason", _("Reason")),
        ("issued_at", _("Issued")), ("credited_at", _("Balance credited")), ("balance", _("Balance (Rp)")),
        ("purchase_deadline", _("First purchase deadline")), ("first_purchase_at", _("First purchase")),
        ("ended_at", _("Ended"))], rows, single=True)
    ledger = Section("ledger", _("Card balance movements"), [
        ("at", _("When")), ("kind", _("What")), ("amount", _("Amount (Rp)")), ("memo", _("Note"))], movements)
    return card_section, ledger


def _learning(user) -> tuple[Section, Section, Section]:
    from prakerja.learning.models import Certificate, Review
    from prakerja.learning.selectors import purchases_of

    purchases = [{"payment_id": purchase.payment_id, "course": purchase.course_title, "platform": purchase.platform,
                  "provider": purchase.provider, "amount": purchase.amount, "paid_at": purchase.paid_at,
                  "status": str(purchase.status_label), "voucher_code": purchase.voucher_code or "",
                  "certificate": purchase.certificate_number or ""}
                 for purchase in purchases_of(user_id=user.pk)]
    certificates = [{"number": c.number, "course": c.course_title, "provider": c.provider_name,
                     "participant_name": c.participant_name, "completed_on": c.completed_on, "issued_at": c.issued_at}
                    for c in Certificate.objects.filter(payment__card__user=user).order_by("-issued_at")]
    reviews = [{"course": review.course.title, "stars": review.stars, "text": review.text,
                "created_at": review.created_at}
               for review in Review.objects.filter(user=user).select_related("course").order_by("-created_at")]
    return (
        Section("purchases", _("Purchases"), [
            ("course", _("Course")), ("platform", _("Platform")), ("provider", _("Training provider")),
            ("amount", _("Amount (Rp)")), ("paid_at", _("Paid")), ("status", _("Status")),
            ("voucher_code", _("Voucher code")), ("certificate", _("Certificate"))], purchases),
        Section("certificates", _("Certificates"), [
            ("number", _("Certificate number")), ("course", _("Course")), ("provider", _("Training provider")),
            ("participant_name", _("Name on the certificate")), ("completed_on", _("Completed on")),
            ("issued_at", _("Issued"))], certificates),
        Section("reviews", _("Reviews"), [
            ("course", _("Course")), ("stars", _("Stars")), ("text", _("Review")), ("created_at", _("Written"))],
            reviews),
    )


def _complaints(user) -> Section:
    from prakerja.complaints.categories import subcategory_label
    from prakerja.complaints.models import Ticket

    rows = [{"number": ticket.number, "category": ticket.get_category_display(),
             "subcategory": subcategory_label(ticket.subcategory), "status": ticket.get_status_display(),
             "created_at": ticket.created_at, "name": ticket.name, "phone": ticket.phone, "email": ticket.email,
             "description": ticket.description, "consent_at": ticket.consent_at, "link": reverse(
                 "complaint_ticket", args=[ticket.public_id])}
            for ticket in Ticket.objects.filter(user=user).order_by("-created_at")]
    return Section("complaints", _("Complaints"), [
        ("number", _("Ticket number")), ("category", _("Category")), ("subcategory", _("Sub-category")),
        ("status", _("Status")), ("created_at", _("Received")), ("name", _("Name")), ("phone", _("Phone")),
        ("email", _("Email")), ("description", _("Description")), ("consent_at", _("Consent given")),
        ("link", _("Link"))], rows)


def everything_of(user, *, now: datetime | None = None) -> list[Section]:
    """PRV-6: every section of the person's data, in the order the page and the download show it."""
    from prakerja.cards.models import Card
    from prakerja.registry.models import Profile
    from prakerja.waves.models import Application

    now = now or timezone.now()
    profile = (Profile.objects.select_related("domicile_regency", "statement_version").filter(user=user).first())
    applications = list(Application.objects.filter(user=user).select_related("wave", "consent", "province")
                        .order_by("-wave__number"))
    card = Card.objects.filter(user=user).select_related("account").first()
    card_section, ledger = _card(card)
    purchases, certificates, reviews = _learning(user)
    return [_account(user), _profile(profile), _photos(profile), _phone(profile), _consents(profile, applications),
            _applications(applications, now), card_section, ledger, purchases, certificates, reviews,
            _complaints(user)]


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if value is not None and not isinstance(value, (str, int, float, bool)):
        return str(value)  # lazy translations
    return value


def as_json(sections: list[Section], *, now: datetime) -> dict:
    return {"generated_at": now.isoformat(),
            "sections": {section.key: ([{k: _plain(v) for k, v in section.rows[0].items()}] if section.rows else [])
                         if section.single else [{k: _plain(v) for k, v in row.items()} for row in section.rows]
                         for section in sections}}


# --- who accessed my data (PRV-5) ----------------------------------------------------------

# What each audited read is, as the person reads it. Reads that target the
# profile (registry/admin.py, registry/services/documents.py), the account
# (the person's own download), a ticket (complaint evidence, the complaints
# desk's page, the admin's) or the card (partner API calls), never the
# operator's own account; and reads that name a purchase in their data
# ("payment": a platform's or a provider's API call, an operator's look at a
# purchase, a completion report or a certificate; audit.reads throttles the
# operators' looks to one per ten minutes).
PROFILE_ACTIONS = {
    "registry.identity_reveal": _("Full NIK and KK shown"),
    "registry.photo_view.ktp": _("KTP photo viewed"),
    "registry.photo_view.selfie": _("Selfie viewed"),
    "registry.profile_view": _("Profile viewed"),
}
USER_ACTIONS = {"mydata.export": _("Your data downloaded"),
                "accounts.user_view": _("Account opened in the administration")}
CARD_READS = {
    "cards.admin_view": _("Card and balance opened in the administration"),
    # Decisions on the person's training, taken by an operator with a stated reason.
    "completion.accept": _("Your held completion report accepted by the partner manager"),
    "completion.reject": _("Your held completion report rejected by the partner manager"),
    "redemption.replace_code": _("Your redeem code replaced by an operator"),
}
APPLICATION_READS = {"waves.application_view": _("Wave application opened in the administration")}
# Reads of records that are many per person (messages) name the person in the row's data.
PERSON_READS = {"notifications.message_view": _("A message sent to you opened in the administration")}
TICKET_ACTIONS = {
    "complaint.evidence_view": _("Complaint attachment viewed"),
    "complaint.desk_view": _("Complaint read on the complaints desk"),
    "complaint.admin_view": _("Complaint record opened in the administration"),
}
PARTNER_ACTIONS = {
    "partner_api.payment_start": _("Card used for a payment"),
    "partner_api.payment_confirm": _("Payment confirmed"),
    "partner_api.payment_cancel": _("Payment cancelled"),
    "partner_api.payment_get": _("Payment and card read"),
    "partner_api.redemption_status": _("Redeem code checked by the training provider"),
    "partner_api.redemption_commit": _("Redeem code used: training started"),
    "partner_api.completion_report": _("Training completion reported, with your name, email and phone"),
}
PURCHASE_READS = {
    "learning.completion_review": _("Completion report checked against your name, email and phone"),
    "learning.completion_review_masked": _("Completion report viewed (your name, email and phone hidden)"),
    "learning.payment_view": _("Purchase record viewed (buyer's name, email and phone hidden)"),
    "learning.completion_view": _("Completion report record viewed (name, email and phone hidden)"),
    "learning.certificate_view": _("Certificate record viewed"),
}
PARTNER_KINDS = {"platform": _("Digital platform"), "provider": _("Training provider")}


@dataclass(frozen=True)
class Access:
    at: datetime
    who: str  # a role or a partner, never an operator's name
    what: str
    reason: str


def _role_labels(actor_ids: set[int]) -> dict[int, str]:
    from django.contrib.auth.models import Group

    labels: dict[int, list[str]] = {}
    memberships = (Group.objects.filter(user__in=actor_ids, name__in=SLUG_BY_GROUP)
                   .values_list("user", "name").order_by("name"))
    for user_id, group_name in memberships:
        labels.setdefault(user_id, []).append(str(ROLES[SLUG_BY_GROUP[group_name]]["name"]))
    return {user_id: ", ".join(names) for user_id, names in labels.items()}


def _partner_labels(codes: set[str]) -> dict[str, str]:
    from prakerja.partners.models import Partner

    return {code: f"{PARTNER_KINDS.get(kind, kind)}: {name}"
            for code, kind, name in Partner.objects.filter(code__in=codes).values_list("code", "kind", "name")}


def accesses_of(user) -> list[Access]:
    """Every audited access to the person's data by an operator, a partner, or themself, newest first."""
    from prakerja.cards.models import Card
    from prakerja.complaints.models import Ticket
    from prakerja.learning.models import Payment
    from prakerja.registry.models import Profile
    from prakerja.waves.models import Application

    profile_id = Profile.objects.filter(user=user).values_list("public_id", flat=True).first()
    card_id = Card.objects.filter(user=user).values_list("public_id", flat=True).first()
    where = Q(target_type="accounts.user", target_id=str(user.public_id), action__in=USER_ACTIONS)
    where |= Q(action__in=PERSON_READS, data__person=str(user.public_id))
    applications = [str(a) for a in Application.objects.filter(user=user).values_list("public_id", flat=True)]
    if applications:
        where |= Q(target_type="waves.application", target_id__in=applications, action__in=APPLICATION_READS)
    if profile_id:
        where |= Q(target_type="registry.profile", target_id=str(profile_id), action__in=PROFILE_ACTIONS)
    tickets = [str(public_id) for public_id in Ticket.objects.filter(user=user).values_list("public_id", flat=True)]
    if tickets:
        where |= Q(target_type="complaints.ticket", target_id__in=tickets, action__in=TICKET_ACTIONS)
    if card_id:
        where |= Q(target_type="cards.card", target_id=str(card_id), action__in=[*PARTNER_ACTIONS, *CARD_READS])
        # A payment's start and confirmation, a provider's calls and an operator's look at a purchase name
        # the payment in the row's data, not the card.
        payments = [str(p) for p in Payment.objects.filter(card__public_id=card_id).values_list("public_id", flat=True)]
        if payments:
            where |= Q(action__in=[*PARTNER_ACTIONS, *PURCHASE_READS], data__payment__in=payments)
    entries = list(AuditEntry.objects.filter(where).order_by("-created_at", "-id")
                   .values("created_at", "actor_id", "actor_label", "action", "reason", "data"))
    roles = _role_labels({entry["actor_id"] for entry in entries if entry["actor_id"]})
    partners = _partner_labels({entry["actor_label"].removeprefix("partner:") for entry in entries
                                if entry["actor_label"].startswith("partner:")})
    labels = {**PROFILE_ACTIONS, **USER_ACTIONS, **TICKET_ACTIONS, **PARTNER_ACTIONS, **PURCHASE_READS, **CARD_READS,
              **APPLICATION_READS, **PERSON_READS}
    accesses = []
    for entry in entries:
        if entry["actor_id"] == user.pk:
            who = _("You")
        elif entry["actor_id"]:
            who = roles.get(entry["actor_id"]) or _("Operator")
        elif entry["actor_label"].startswith("partner:"):
            code = entry["actor_label"].removeprefix("partner:")
            who = partners.get(code, _("Partner"))
        else:
            who = _("System")
        what = labels[entry["action"]]
        status = (entry["data"] or {}).get("status")
        if isinstance(status, int) and status >= 400:  # a partner's call we refused: an attempt, nothing given
            what = _("%(what)s (refused)") % {"what": what}
        accesses.append(Access(entry["created_at"], str(who), str(what), entry["reason"]))
    return accesses
