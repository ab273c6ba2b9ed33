"""The web app's writes: the FAQ (issue 21), and the cached home page they and the waves invalidate."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save

from prakerja.audit.models import AuditEntry
from prakerja.audit.services import audit_record
from prakerja.programme.models import Programme
from prakerja.waves.models import Wave
from prakerja.web.models import FaqEntry, FaqRevision

FAQ_FIELDS = ("position", "question_id", "answer_id", "question_en", "answer_en", "published")

# --- the anonymous home page's cache ---------------------------------------------------------
HOME_KEY = "web:home:{language}"
HOME_PAGE_KEY = "web:home-page:{language}"  # the whole page of a plain visit (``web.views.home``)
# What the home page shows comes from these: an audited change to one of them drops the cached page
# (programme_activate moves ``is_active`` with UPDATE statements, so it sends no post_save).
HOME_ACTIONS = ("programme.", "wave.", "selection.", "listing.", "faq.", "switches.")


def home_key(language: str) -> str:
    return HOME_KEY.format(language=language)


def home_page_key(language: str) -> str:
    return HOME_PAGE_KEY.format(language=language)


def home_forget() -> None:
    cache.delete_many([key(code) for code, _name in settings.LANGUAGES for key in (home_key, home_page_key)])


def _forget_after_commit(sender, **kwargs) -> None:
    # After the commit: dropped earlier, a home page built meanwhile would cache the old state again.
    transaction.on_commit(home_forget)


def _forget_on_audit(sender, instance, created, **kwargs) -> None:
    if created and instance.action.startswith(HOME_ACTIONS):
        transaction.on_commit(home_forget)


def connect_receivers() -> None:
    post_save.connect(_forget_after_commit, sender=Wave, dispatch_uid="web-home-wave")
    post_save.connect(_forget_after_commit, sender=Programme, dispatch_uid="web-home-programme")
    post_save.connect(_forget_on_audit, sender=AuditEntry, dispatch_uid="web-home-audit")


connect_receivers()


# --- the FAQ ---------------------------------------------------------------------------------
def _texts(entry: FaqEntry) -> dict:
    return {name: getattr(entry, name) for name in FAQ_FIELDS}


@transaction.atomic
def faq_entry_save(*, actor, entry: FaqEntry | None, position: int, question_id: str, answer_id: str,
                   question_en: str, answer_en: str, published: bool) -> FaqEntry:
    """Create an FAQ entry or save a new wording of one: each change is a new version, kept in
    ``FaqRevision``, and audited with the fields it changed. Saving the same wording changes nothing."""
    texts = {"position": position, "question_id": question_id.strip(), "answer_id": answer_id.strip(),
             "question_en": question_en.strip(), "answer_en": answer_en.strip(), "published": published}
    if entry is None or entry.pk is None:
        entry = FaqEntry.objects.create(version=1, **texts)
        changed = list(FAQ_FIELDS)
        action = "faq.create"
    else:
        entry = FaqEntry.objects.select_for_update().get(pk=entry.pk)
        changed = [name for name in FAQ_FIELDS if getattr(entry, name) != texts[name]]
        if not changed:
            return entry
        for name in changed:
            setattr(entry, name, texts[name])
        entry.version += 1
        entry.save(update_fields=[*changed, "version", "updated_at"])
        action = "faq.update"
    edited_by = actor if isinstance(actor, str) else actor.email
    FaqRevision.objects.create(entry=entry, version=entry.version, edited_by=edited_by[:200], **_texts(entry))
    audit_record(actor=actor, action=action, target=entry,
                 data={"version": entry.version, "changed": changed, "published": entry.published})
    return entry

