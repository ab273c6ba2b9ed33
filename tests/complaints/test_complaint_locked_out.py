"""CMP-1 for someone locked out of their account: the same form plus an email address; a 6-digit code goes
to that address, and the ticket opens only when the code comes back. Typing someone else's address gets
the stranger nothing: the code goes to the address's owner, and the pages say the same either way.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from prakerja.complaints.models import Evidence, PendingComplaint, Source, Ticket
from prakerja.notifications.models import Message
from tests.complaints.test_complaint_evidence import jpeg_bytes

pytestmark = pytest.mark.django_db

FORM = reverse("complaint_form")
EMAIL = "budi.santoso@example.id"


def fields(**overrides) -> dict:
    return {"name": "Budi Santoso", "phone": "0812 3456 7890", "email": EMAIL, "subcategory": "cannot_sign_in",
            "description": "Saya lupa kata sandi dan email reset tidak pernah sampai.", "consent": "on", **overrides}


@pytest.fixture
def visitor(client, db, django_capture_on_commit_callbacks):
    """Signed out, reading English; what is sent after a commit (the code's email) is sent at once."""
    client.cookies["django_language"] = "en"
    post = client.post

    def post_and_send(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(*args, **kwargs)

    client.post = post_and_send
    return client


def same_page(html: str) -> str:
    """A page without what differs on every request or address: the CSRF token, the masked address, the id."""
    return re.sub(r'value="[A-Za-z0-9]{64}"|[a-z.*]+@example\.id|[0-9a-f-]{36}', "", html)


def code_sent_to(address: str) -> str:
    [message] = [m for m in mail.outbox if m.to == [address]]
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def start(client, **overrides):
    response = client.post(FORM, fields(**overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def test_the_form_asks_for_the_email_and_explains_the_code(visitor):
    page = visitor.get(FORM).content.decode()
    assert 'name="email"' in page and "we send a code to the email you enter" in page
    assert reverse("account_login") in page


def test_the_ticket_opens_only_when_the_code_comes_back(visitor):
    confirm = start(visitor)
    pending = PendingComplaint.objects.get()
    assert confirm == reverse("complaint_confirm", args=[pending.public_id])
    assert not Ticket.objects.exists()
    [code_mail] = Message.objects.filter(template="complaint_code")
    assert (code_mail.channel, code_mail.to_address, code_mail.sensitive) == ("email", EMAIL, True)
    page = visitor.get(confirm).content.decode()
    assert "We sent a 6-digit code to bu**********@example.id." in page and EMAIL not in page

    real = code_sent_to(EMAIL)
    response = visitor.post(confirm, {"code": real})
    ticket = Ticket.objects.get()
    assert (ticket.source, ticket.user, ticket.email, ticket.name) == (Source.LOCKED_OUT, None, EMAIL, "Budi Santoso")
    assert response.status_code == 302 and response["Location"].startswith("/complaints/t/")
    page = visitor.get(response["Location"]).content.decode()
    assert f"Your ticket number is {ticket.number}" in page and ticket.description in page
    [received] = Message.objects.filter(template="complaint_received")
    assert (received.channel, received.to_address) == ("email", EMAIL)
    assert response["Location"] in received.body  # the emailed link is the page just shown
    # Back or a second tab: this address (it stays in the history) is no way into the ticket, and a wrong
    # code gets nothing; the right code again is the same ticket, never a second one.
    assert visitor.get(confirm)["Location"] == FORM
    wrong = visitor.post(confirm, {"code": "000000" if real != "000000" else "111111"})
    assert wrong.status_code == 200 and response["Location"] not in wrong.content.decode()
    # The same ticket's link; signed again, its timestamp may be a second later (payload:timestamp:signature).
    again = visitor.post(confirm, {"code": real})["Location"]
    assert again.rsplit(":", 2)[0] == response["Location"].rsplit(":", 2)[0]
    assert Ticket.objects.count() == 1


def test_a_wrong_code_says_how_many_attempts_are_left_then_ends(visitor):
    confirm = start(visitor)
    right = code_sent_to(EMAIL)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        response = visitor.post(confirm, {"code": wrong})
        assert response.context["form"].errors["code"] == [f"The code is wrong. {left} attempts left."]
        page = response.content.decode()
        assert re.search(r'<input[^>]*name="code"[^>]*aria-describedby="id_code_error"', page)
    response = visitor.post(confirm, {"code": wrong})
    page = response.content.decode()
    assert "Too many wrong codes. Fill in the form again." in page and 'name="code"' not in page
    assert visitor.post(confirm, {"code": right}).status_code == 200  # the right code no longer helps
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "12 456", "١٢٣٤٥٦"])
def test_a_malformed_code_is_refused_without_counting(visitor, code):
    confirm = start(visitor)
    response = visitor.post(confirm, {"code": code})
    assert response.context["form"].errors["code"] == ["Enter the 6-digit code."]
    assert PendingComplaint.objects.get().attempts == 0


def test_an_expired_code_sends_the_person_back_to_the_form(visitor):
    confirm = start(visitor)
    PendingComplaint.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    page = visitor.post(confirm, {"code": code_sent_to(EMAIL)}).content.decode()
    assert "This code has expired. Fill in the form again." in page and f'href="{FORM}"' in page
    assert not Ticket.objects.exists()


def test_an_unknown_confirmation_is_not_found(visitor):
    assert visitor.get(reverse("complaint_confirm", args=["8c7b1d1e-0000-4000-8000-000000000000"])).status_code == 404


def test_someone_elses_email_sends_the_code_to_its_owner_and_says_nothing_about_the_account(visitor, make_user):
    owner = make_user(email="pemilik@example.id", full_name="Pemilik Akun")
    first = visitor.get(start(visitor, email="tidak.ada@example.id")).content.decode()
    second = visitor.get(start(visitor, email=owner.email)).content.decode()
    # The same page whether or not an account has the address (only the masked address differs).
    assert same_page(first) == same_page(second)
    messages = Message.objects.filter(template="complaint_code").order_by("pk")
    assert [m.to_address for m in messages] == ["tidak.ada@example.id", owner.email]
    assert [m.user_id for m in messages] == [None, None]  # nothing in the owner's inbox to read back
    # Without the code nothing opens; the owner, who has it, opens the ticket on their own account.
    pending = PendingComplaint.objects.get(email=owner.email)
    confirm = reverse("complaint_confirm", args=[pending.public_id])
    assert visitor.post(confirm, {"code": "123456" if code_sent_to(owner.email) != "123456" else "654321"}
                        ).status_code == 200
    assert not Ticket.objects.exists()
    visitor.post(confirm, {"code": code_sent_to(owner.email)})
    ticket = Ticket.objects.get()
    assert (ticket.user, ticket.email, ticket.source) == (owner, owner.email, Source.LOCKED_OUT)


def test_evidence_waits_with_the_unconfirmed_complaint_and_joins_the_ticket(visitor):
    confirm = start(visitor, evidence=[SimpleUploadedFile("layar.png", jpeg_bytes(), content_type="image/png")])
    [evidence] = Evidence.objects.all()
    assert evidence.pending is not None and evidence.ticket is None
    visitor.post(confirm, {"code": code_sent_to(EMAIL)})
    evidence.refresh_from_db()
    assert evidence.ticket == Ticket.objects.get() and evidence.pending is None
    assert evidence.original_name == "layar.jpg"  # what it is now: a re-encoded JPEG


def test_a_certificate_complaint_is_judged_when_the_code_comes_back(visitor):
    confirm = start(visitor, subcategory="certificate_missing")
    page = visitor.post(confirm, {"code": code_sent_to(EMAIL)}).content.decode()
    assert "we found none without a certificate on this account" in page
    assert f'href="{FORM}"' in page and not Ticket.objects.exists()
