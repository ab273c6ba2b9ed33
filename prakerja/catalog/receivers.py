"""Keep "Cari Pelatihan"'s columns and index true as courses, listings and providers change (catalog/search.py).

``bulk_create`` and ``QuerySet.update`` send no signals: a bulk load calls
``refresh_search_text`` / ``refresh_listing_summary`` itself, or
``manage.py rebuild_search_index`` afterwards.
"""

from django.db import connections
from django.db.models.signals import post_delete, post_migrate, post_save, pre_save
from django.dispatch import receiver

from prakerja.catalog.models import Course, Listing
from prakerja.catalog.search import refresh_listing_summary, refresh_search_text, search_text_of, sqlite_index_ensure


@receiver(pre_save, sender=Course)
def _course_words(sender, instance: Course, **kwargs):
    instance.search_text = search_text_of(instance, instance.provider.name)


@receiver(post_save, sender=Course)
def _course_words_saved(sender, instance: Course, created: bool, update_fields=None, **kwargs):
    # save(update_fields=["title"]) writes only the title: the words computed above need their own write.
    if update_fields is not None and "search_text" not in update_fields:
        refresh_search_text([instance.pk])


@receiver(post_save, sender=Listing)
@receiver(post_delete, sender=Listing)
def _listing_changed(sender, instance: Listing, **kwargs):
    refresh_listing_summary([instance.course_id])


# By name: partners is a higher layer than the catalogue (tests/platform/test_layers.py).
@receiver(post_save, sender="partners.Partner")
def _provider_renamed(sender, instance, created: bool, update_fields=None, **kwargs):
    # The provider's name is one of its courses' words.
    if not created and instance.kind == "provider" and (update_fields is None or "name" in update_fields):
        refresh_search_text(Course.objects.filter(provider=instance).values_list("pk", flat=True))


@receiver(post_migrate, dispatch_uid="catalog-search-index")
def _search_index(sender, using="default", **kwargs):
    if sender.name == "prakerja.catalog":
        sqlite_index_ensure(connections[using])
