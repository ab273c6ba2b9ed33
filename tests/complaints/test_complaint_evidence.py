"""CMP-1 evidence: a file is what its bytes say, not what its name claims; photos follow the KTP photo rules,
PDFs their size and page limits (counted safely); a 20 MB upload is refused before it is read; the files
are private: their owner, the signed link's holder and the operators who may see tickets (audited) get them
as downloads, nobody else.
"""

import io
import re

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from PIL import Image
from pypdf import PdfWriter

from prakerja.audit.models import AuditEntry
from prakerja.complaints.evidence import CheckedFile, display_name, evidence_check, evidence_store, stored
from prakerja.complaints.models import Evidence, Ticket
from prakerja.complaints.services import ComplaintError, ticket_link
from tests.accounts.operators import sign_in
from tests.registry.test_personal_data import png_header_only
from tests.registry.test_uploads import CountingBody

pytestmark = pytest.mark.django_db

FORM = reverse("complaint_form")
MB = 1024 * 1024


# --- files ------------------------------------------------------------------------------------------

def jpeg_bytes(size=(320, 200), fmt="JPEG", gps=False) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "S", 2: (6.0, 54.0, 0.0)}
    Image.new("RGB", size, (30, 90, 160)).save(out, format=fmt, **({"exif": exif.tobytes()} if fmt == "JPEG" else {}))
    return out.getvalue()


def pdf_bytes(pages=1, *, password=None, pad=0) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue() + (b"%" + b"0" * (pad - 1) if pad else b"")


def pdf_with_page_tree(kids_of_root: str, extra_objects: list[str], count: int) -> bytes:
    """A hand-written PDF whose page tree is whatever the caller says (cycles, lies, width)."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{kids_of_root}] /Count {count} >>", *extra_objects]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def refused(*files) -> ComplaintError:
    with pytest.raises(ComplaintError) as error:
        evidence_check(list(files))
    assert error.value.field == "evidence"
    return error.value


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


# --- what a file is ---------------------------------------------------------------------------------

def test_a_photo_is_re_encoded_without_metadata(english):
    [checked] = evidence_check([upload("IMG_2031.JPG", jpeg_bytes(gps=True), "image/jpeg")])
    assert (checked.name, checked.content_type) == ("IMG_2031.jpg", "image/jpeg")
    image = Image.open(io.BytesIO(checked.data))
    assert image.format == "JPEG" and not image.getexif()


def test_a_png_is_stored_as_the_jpeg_it_becomes(english):
    [checked] = evidence_check([upload("layar.png", jpeg_bytes(fmt="PNG"), "image/png")])
    assert (checked.name, checked.content_type) == ("layar.jpg", "image/jpeg")


def test_a_pdf_is_kept_as_sent(english):
    data = pdf_bytes(3)
    [checked] = evidence_check([upload("surat.pdf", data, "application/pdf")])
    assert (checked.name, checked.content_type, checked.data) == ("surat.pdf", "application/pdf", data)


def test_what_a_file_is_comes_from_its_bytes_not_its_name(english):
    [pdf] = evidence_check([upload("foto.jpg", pdf_bytes(), "image/jpeg")])
    [photo] = evidence_check([upload("bukti.pdf", jpeg_bytes(), "application/pdf")])
    assert (pdf.name, pdf.content_type) == ("foto.pdf", "application/pdf")
    assert (photo.name, photo.content_type) == ("bukti.jpg", "image/jpeg")


@pytest.mark.parametrize(("name", "data"), [
    ("bukti.jpg", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200),  # a program
    ("bukti.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),  # a web page
    ("bukti.pdf", b"  %PDF-1.7 not at the start"),
    ("bukti.png", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),  # an image of another kind
    ("bukti.jpg", b"PK\x03\x04" + b"\x00" * 100),  # a zip
])
def test_anything_but_a_photo_or_a_pdf_is_refused(english, name, data):
    error = refused(upload(name, data, "image/jpeg"))
    assert error.code == "evidence_type"
    assert error.message == (f"{name} is not a JPEG or PNG photo or a PDF document. "
                             "Send a photo (JPEG or PNG) or a PDF.")


def test_a_file_that_only_starts_like_a_photo_is_refused(english):
    error = refused(upload("bukti.jpg", b"\xff\xd8\xff\xe0" + b"bukan foto" * 50, "image/jpeg"))
    assert error.message == "bukti.jpg: This file is not a JPEG or PNG photo."


def test_the_photo_rules_apply(english, settings):
    error = refused(upload("besar.png", png_header_only(20_000, 20_000), "image/png"))
    assert error.message == "besar.png: The photo has too many pixels. Take a normal phone photo."
    settings.PHOTO_MAX_BYTES = 1000
    assert refused(upload("foto.jpg", jpeg_bytes((800, 800)))).message == (
        "foto.jpg: The photo is larger than 5 MB. Choose a smaller photo.")


def test_an_empty_file_is_refused(english):
    assert refused(upload("kosong.pdf", b"")).code == "evidence_empty"


def test_a_pdf_over_the_size_limit_is_refused(english, settings):
    settings.COMPLAINT_PDF_MAX_BYTES = 2 * MB
    error = refused(upload("besar.pdf", pdf_bytes(pad=2 * MB)))
    assert (error.code, error.message) == ("evidence_pdf_too_large",
                                           "besar.pdf is larger than 2 MB. Send a smaller PDF.")


def test_a_pdf_over_the_page_limit_is_refused(english, settings):
    assert len(evidence_check([upload("ok.pdf", pdf_bytes(settings.COMPLAINT_PDF_MAX_PAGES))])) == 1
    error = refused(upload("tebal.pdf", pdf_bytes(settings.COMPLAINT_PDF_MAX_PAGES + 1)))
    assert (error.code, error.message) == ("evidence_pdf_pages", "tebal.pdf has 21 pages; a PDF may have at most 20.")


def test_an_encrypted_pdf_is_refused(english):
    error = refused(upload("rahasia.pdf", pdf_bytes(password="sandi")))
    assert error.message == "rahasia.pdf is protected with a password. Send the PDF without a password."


def test_a_page_count_that_lies_is_not_believed(english):
    pages = ["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>" for _ in range(25)]
    kids = " ".join(f"{n} 0 R" for n in range(3, 28))
    assert refused(upload("bohong.pdf", pdf_with_page_tree(kids, pages, count=1))).code == "evidence_pdf_pages"


def test_a_page_tree_deeper_than_any_real_document_is_refused(english):
    """pypdf walks the tree under our limits (depth 32), not its defaults (100): a file cannot ask for more work."""
    depth = 40
    nodes = [f"<< /Type /Pages /Kids [{n + 1} 0 R] /Count 1 >>" for n in range(4, 3 + depth)]
    nodes.append("<< /Type /Page /MediaBox [0 0 1 1] >>")
    crafted = pdf_with_page_tree("3 0 R", ["<< /Type /Pages /Kids [4 0 R] /Count 1 >>", *nodes], count=1)
    assert refused(upload("dalam.pdf", crafted)).code == "evidence_pdf_unreadable"


@pytest.mark.parametrize("crafted", [
    pdf_with_page_tree("3 0 R", ["<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>"], count=1),  # a cycle
    pdf_with_page_tree("3 0 R", ["<< /Type /Pages /Kids [3 0 R] /Count 1 >>"], count=1),  # its own kid
    pdf_with_page_tree(" ".join(["3 0 R"] * 5000), ["<< /Type /Page /MediaBox [0 0 1 1] >>"], count=5000),  # wide
    pdf_with_page_tree("", [], count=0),  # no page at all
    b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF",  # no tree
    b"%PDF-1.4\n" + bytes(range(256)) * 64,  # noise
    b"%PDF-",
], ids=["cycle", "self", "wide", "empty", "no-tree", "noise", "header-only"])
def test_a_crafted_pdf_is_refused_not_crashed_on(english, crafted):
    error = refused(upload("aneh.pdf", crafted))
    assert error.code in ("evidence_pdf_unreadable", "evidence_pdf_pages")
    if error.code == "evidence_pdf_unreadable":
        assert error.message == "aneh.pdf cannot be read as a PDF document. Save it again as a PDF, or send a photo."


def test_at_most_three_files(english, settings):
    assert settings.COMPLAINT_EVIDENCE_FILES == 3
    assert refused(*[upload(f"{n}.pdf", pdf_bytes()) for n in range(4)]).message == "Send at most 3 files."


@pytest.mark.parametrize(("raw", "shown"), [
    ("C:\\Users\\siti\\Desktop\\bukti.jpg", "bukti.jpg"), ("../../etc/passwd", "passwd"),
    ('a"b<c>.pdf', "abc.pdf"), ("\x00\x1b[31m.jpg", "[31m.jpg"), ("", "file"), ("...", "file"),
])
def test_the_name_shown_is_only_the_file_name(english, raw, shown):
    assert display_name(raw) == shown


def test_stored_files_are_private_and_removed_when_the_service_refuses(english):
    checked = [CheckedFile(b"%PDF-1.4 x", "a.pdf", "application/pdf"), CheckedFile(b"\xff\xd8\xff", "b.jpg",
                                                                                    "image/jpeg")]
    storage = storages["private"]
    with pytest.raises(ComplaintError), stored(checked) as files:
        names = [item.file for item in files]
        assert all(storage.exists(name) and name.startswith("complaints/") for name in names)
        raise ComplaintError("refused", "no")
    assert not any(storage.exists(name) for name in names)
    [kept] = evidence_store(checked[:1])
    assert storage.exists(kept.file) and kept.size == len(checked[0].data)


# --- through the form: the upload limits ------------------------------------------------------------

@pytest.fixture
def browser(participant):
    """Signed in, CSRF enforced, holding the form's token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    client.cookies["django_language"] = "en"
    client.get(FORM)
    client.token = client.cookies["csrftoken"].value
    return client


def fields(browser, **files) -> dict:
    return {"csrfmiddlewaretoken": browser.token, "name": "Siti Rahmawati", "phone": "081234567890",
            "subcategory": "cannot_sign_in", "description": "Aplikasi selalu menolak kata sandi saya.", **files,
            "consent": "on"}


def post_stream(client, parts, *, url=FORM, content_length=None):
    content = encode_multipart(BOUNDARY, parts)
    body = CountingBody(content)
    response = client.generic("POST", url, **{"wsgi.input": body, "CONTENT_TYPE": MULTIPART_CONTENT,
                                               "CONTENT_LENGTH": str(content_length or len(content))})
    return response, body


def named(name, data):
    file = io.BytesIO(data)
    file.name = name
    return file


def test_a_20_mb_pdf_is_refused_before_it_is_read(browser):
    response, body = post_stream(browser, fields(browser, evidence=named("besar.pdf", pdf_bytes(pad=20 * MB))))
    assert body.read_bytes == 0
    assert response.status_code == 413
    assert "The form was not sent: it is larger than 3 files of 5 MB each." in response.content.decode()
    assert not Ticket.objects.exists() and not Evidence.objects.exists()


def test_a_file_over_5_mb_stops_the_read_and_the_form_says_why(browser, settings):
    response, body = post_stream(browser, fields(browser, evidence=named("besar.pdf", pdf_bytes(pad=6 * MB))))
    assert body.read_bytes < 5 * MB + 256 * 1024 < body.size
    assert response.status_code == 413
    form = response.context["form"]
    assert form.errors["evidence"] == ["A file is larger than 5 MB. Choose a smaller file."]
    assert form["description"].value() == "Aplikasi selalu menolak kata sandi saya."  # what was typed comes back
    assert not Ticket.objects.exists()


def test_three_files_of_almost_5_mb_are_read_and_kept(browser, settings):
    big = pdf_bytes(pad=5 * MB - 4096)
    parts = fields(browser)
    parts["evidence"] = [named(f"{n}.pdf", big) for n in range(3)]
    response, body = post_stream(browser, parts)
    assert response.status_code == 302 and body.read_bytes == body.size
    ticket = Ticket.objects.get()
    assert sorted(ticket.evidence.values_list("original_name", flat=True)) == ["0.pdf", "1.pdf", "2.pdf"]


def test_other_forms_keep_the_photo_limits(browser, settings):
    """The complaint form's larger body is its own: the personal-data step still refuses past two photos."""
    from tests.registry.test_uploads import FIELDS

    response, body = post_stream(browser, {"csrfmiddlewaretoken": browser.token, **FIELDS},
                                 url=reverse("registry_personal"), content_length=settings.UPLOAD_MAX_BODY_BYTES + 1)
    assert body.read_bytes == 0 and response.status_code == 413


def test_the_csrf_token_is_still_checked(browser):
    parts = fields(browser)
    del parts["csrfmiddlewaretoken"]
    response, _body = post_stream(browser, parts)
    assert response.status_code == 403 and not Ticket.objects.exists()


def test_a_bad_file_on_the_form_is_named_beside_the_field(browser):
    parts = fields(browser, evidence=named("virus.jpg", b"MZ" + b"\x00" * 500))
    response, _body = post_stream(browser, parts)
    page = response.content.decode()
    assert response.status_code == 200 and not Ticket.objects.exists() and not Evidence.objects.exists()
    assert "virus.jpg is not a JPEG or PNG photo or a PDF document." in page
    assert re.search(r'<input[^>]*name="evidence"[^>]*aria-describedby="id_evidence_helptext id_evidence_error"',
                     page)
    assert not list(storages["private"].listdir("")[0])  # nothing was written


def test_four_files_on_the_form_are_refused(browser):
    parts = fields(browser)
    parts["evidence"] = [named(f"{n}.pdf", pdf_bytes()) for n in range(4)]
    response, _body = post_stream(browser, parts)
    assert response.context["form"].errors["evidence"] == ["Send at most 3 files."]


# --- downloads ------------------------------------------------------------------------------------------

@pytest.fixture
def ticket_with_files(participant, make_ticket):
    checked = evidence_check([upload("foto.png", jpeg_bytes(fmt="PNG")), upload("surat.pdf", pdf_bytes(2))])
    return make_ticket(participant, evidence=evidence_store(checked))


def url_of(evidence):
    return reverse("complaint_evidence", args=[evidence.public_id])


def test_the_owner_downloads_the_files_as_attachments(client, participant, ticket_with_files, settings):
    settings.SECURE_CONTENT_TYPE_NOSNIFF = False  # the view says it itself, whatever the middleware does
    client.force_login(participant)
    for evidence in ticket_with_files.evidence.all():
        response = client.get(url_of(evidence))
        assert response.status_code == 200
        assert response["Content-Type"] == evidence.content_type
        assert response["Content-Disposition"] == f'attachment; filename="{evidence.original_name}"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == storages["private"].open(evidence.file).read()


def test_nobody_else_gets_them(client, make_user, ticket_with_files):
    evidence = ticket_with_files.evidence.first()
    assert client.get(url_of(evidence))["Location"].startswith(reverse("account_login"))  # never public
    client.force_login(make_user(email="orang.lain@example.id"))
    assert client.get(url_of(evidence)).status_code == 404
    assert client.get(reverse("complaint_evidence", args=["8c7b1d1e-0000-4000-8000-000000000000"])).status_code == 404


@pytest.mark.parametrize("role", ["complaints_agent", "auditor"])
def test_operators_who_may_see_tickets_get_them_and_each_download_is_audited(client, role, ticket_with_files):
    operator = sign_in(client, role)
    evidence = ticket_with_files.evidence.first()
    assert client.get(url_of(evidence)).status_code == 200
    assert client.get(url_of(evidence)).status_code == 200
    entries = AuditEntry.objects.filter(action="complaint.evidence_view")
    assert entries.count() == 2
    assert {(e.actor_id, e.target_id, e.data["evidence"]) for e in entries} == {
        (operator.pk, str(ticket_with_files.public_id), str(evidence.public_id))}


def test_an_operator_without_the_role_is_refused_and_audited(client, ticket_with_files):
    operator = sign_in(client, "wave_manager")
    assert client.get(url_of(ticket_with_files.evidence.first())).status_code == 403
    assert not AuditEntry.objects.filter(action="complaint.evidence_view").exists()
    assert AuditEntry.objects.filter(action="operator.denied", actor=operator).count() == 1


def test_the_signed_link_gives_its_own_tickets_files_only(client, participant, make_ticket, ticket_with_files):
    token = ticket_link(ticket_with_files).rstrip("/").split("/")[-1]
    evidence = ticket_with_files.evidence.first()
    response = client.get(reverse("complaint_link_evidence", args=[token, evidence.public_id]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    other = make_ticket(participant)
    other_token = ticket_link(other).rstrip("/").split("/")[-1]
    assert client.get(reverse("complaint_link_evidence", args=[other_token, evidence.public_id])).status_code == 404
    assert client.get(reverse("complaint_link_evidence", args=[token + "x", evidence.public_id])).status_code == 404
