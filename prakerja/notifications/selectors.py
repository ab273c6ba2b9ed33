from prakerja.notifications.models import Channel, Message


def inbox_unread_count(*, user) -> int:
    return Message.objects.filter(user=user, channel=Channel.INBOX, read_at=None).count()


def inbox_list(*, user):
    return (Message.objects.filter(user=user, channel=Channel.INBOX)
            .only("public_id", "subject", "body", "created_at", "read_at"))
