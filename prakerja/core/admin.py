class ReadOnlyAdminMixin:
    """Lists and details only: these rows change through services, or never."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
