from django.core.cache import cache

from prakerja.notifications.models import Channel, Message

UNREAD_TTL = 300


def _unread_key(user_id) -> str:
    return f"inbox-unread:{user_id}"


def inbox_unread_count(*, user) -> int:
    """The bell's number, on every page: cached per person, dropped on every inbox write."""
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Message.objects.filter(user=user, channel=Channel.INBOX, read_at=None).count()
        cache.set(key, count, UNREAD_TTL)
    return count


def forget_unread_count(user_id) -> None:
    cache.delete(_unread_key(user_id))


def inbox_list(*, user):
    return (Message.objects.filter(user=user, channel=Channel.INBOX)
            .only("public_id", "subject", "body", "created_at", "read_at"))


def forget_unread_counts(user_ids) -> None:
    """The bell of many people at once (the announcement writes their inbox in bulk)."""
    cache.delete_many([_unread_key(user_id) for user_id in user_ids])
