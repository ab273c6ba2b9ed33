from prakerja.notifications.selectors import inbox_unread_count


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: pages that do not draw the bell (admin) never run the query.
    return {"unread_count": lambda: inbox_unread_count(user=user)}
