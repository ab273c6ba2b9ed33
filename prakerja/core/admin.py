class ReadOnlyAdminMixin:
    """Lists and details only: these rows change through services, or never.

    Also for inlines, whose ``has_add_permission`` takes the parent object too.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
