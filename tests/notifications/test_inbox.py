import pytest
from django.urls import reverse

from prakerja.notifications import services
from prakerja.notifications.models import Message

pytestmark = pytest.mark.django_db


def notify(user, n):
    for i in range(n):
        services.notification_send(template="welcome", key=f"k{i}", channels=["inbox"], user=user)


def test_bell_counts_unread_and_inbox_marks_read(client, applicant, make_user):
    notify(applicant, 3)
    notify(make_user(email="other@example.id"), 2)  # someone else's messages
    client.force_login(applicant)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="unread-count">3<' in page
    first = Message.objects.filter(user=applicant).first()
    client.post(reverse("inbox_read", args=[first.public_id]))
    assert 'data-testid="unread-count">2<' in client.get(reverse("inbox")).content.decode()
    client.post(reverse("inbox_read_all"))
    assert "unread-count" not in client.get(reverse("inbox")).content.decode()
    assert Message.objects.filter(read_at=None).count() == 2  # the other person's stay unread


def test_cannot_mark_someone_elses_message(client, applicant, make_user):
    other = make_user(email="other@example.id")
    notify(other, 1)
    client.force_login(applicant)
    client.post(reverse("inbox_read", args=[Message.objects.get().public_id]))
    assert Message.objects.get().read_at is None


def test_inbox_query_count_does_not_grow_with_messages(client, applicant, django_assert_max_num_queries):
    notify(applicant, 25)
    client.force_login(applicant)
    with django_assert_max_num_queries(6):  # session, user, page count, page rows, bell
        response = client.get(reverse("inbox"))
    assert response.status_code == 200
    assert response.content.decode().count('class="unread"') == 20


def test_inbox_requires_login(client):
    assert client.get(reverse("inbox")).status_code == 302
