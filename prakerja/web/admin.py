from django.contrib.admin.options import csrf_protect_m


class ServiceSaveAdminMixin:
    """For admins whose save_model calls a service.

    Django wraps a change-form POST in transaction.atomic; our services are
    the outermost, durable transaction themselves (STYLE.md 2) and refuse to
    be nested, so the wrapper is skipped: the service's own transaction, with
    its audit row, is the one that counts.
    """

    @csrf_protect_m
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._changeform_view(request, object_id, form_url, extra_context)


class ReadOnlyAdminMixin:
    """Lists and details only: these rows change through services, or never."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
