"""Django's message storage (a cookie, then the session), built only when a request uses it.

MessageMiddleware gives every request a FallbackStorage, whose constructor
builds a cookie signer and a session storage straight away: about 5% of the
CPU of a signed-in request that shows no message (``make bench``). Here the
two storages are built on first use; a request that neither adds nor reads
a message never builds them, and one that does behaves as before.
"""

from django.contrib.messages.storage.base import BaseStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.utils.functional import cached_property


class LazyFallbackStorage(FallbackStorage):
    def __init__(self, request, *args, **kwargs):
        BaseStorage.__init__(self, request, *args, **kwargs)
        self._storage_arguments = (args, kwargs)
        self._used_storages = set()

    @cached_property
    def storages(self):
        args, kwargs = self._storage_arguments
        return [storage_class(self.request, *args, **kwargs) for storage_class in self.storage_classes]
