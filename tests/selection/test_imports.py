"""NIK lists imported from CSV (SEL-2 exclusion lists, SEL-4 priority lists)."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from prakerja.audit.models import AuditEntry
from prakerja.registry import crypto
from prakerja.selection import imports
from prakerja.selection.imports import NikListImportError, nik_list_import
from prakerja.selection.models import ImportStatus, NikList, NikListEntry, NikListVersion

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The error texts are compared in English; LANGUAGE_CODE is "id" and the
    # Indonesian translations come later.
    with translation.override("en"):
        yield


def nik(n: int) -> str:
    return f"3273014101{n:06d}"


def csv_bytes(*lines: str) -> bytes:
    return "".join(f"{line}\n" for line in lines).encode()


def entries(version) -> set[str]:
    return set(NikListEntry.objects.filter(version=version).values_list("nik_index", flat=True))


@pytest.fixture
def asn():
    return NikList.objects.get(code="asn")


def run(nik_list, data: bytes, actor="system", **kwargs):
    return nik_list_import(actor=actor, nik_list=nik_list, source=io.BytesIO(data), source_agency="BKN",
                           source_date=date(2026, 1, 31), file_name="asn.csv", **kwargs)


def test_a_good_file_is_stored_as_the_registrys_blind_index(asn, operator):
    niks = [nik(n) for n in range(1, 8)]
    data = csv_bytes("nama,NIK,instansi", *(f"Pegawai {n},{value},Kemenkeu" for n, value in enumerate(niks)))

    version = run(asn, data, actor=operator)

    assert version.status == ImportStatus.READY and version.is_current and version.number == 1
    # The same call as registry identity_submit, so a list matches Profile.nik_index.
    assert entries(version) == {crypto.blind_index("nik", value) for value in niks}
    assert not NikListEntry.objects.filter(nik_index__in=niks).exists()  # never in clear
    assert (version.rows_read, version.rows_imported, version.rows_rejected) == (7, 7, 0)
    assert version.bytes_read == version.bytes_total == len(data)
    assert version.imported_by == operator and version.finished_at is not None
    audit = AuditEntry.objects.get(action="nik_list.import")
    assert audit.target_id == str(version.pk) and audit.data["rows_imported"] == 7
    assert not any(value in str(audit.data) for value in niks)


def test_bad_rows_are_reported_by_line_and_the_good_ones_imported(asn):
    data = (csv_bytes("nik,nama", f"{nik(1)},Ani", "327301410100001,Budi", "32730141010000AB,Cici")
            + b"\xff\xfe" + nik(2).encode() + b",D\xe9wi\n"
            + csv_bytes(f"{nik(3)},Eka", f"{nik(1)},Ani lagi", ",Fajar", f" {nik(4)} ,Gita"))

    version = run(asn, data)

    assert version.errors == [
        {"line": 3, "error": "The NIK must be exactly 16 digits."},
        {"line": 4, "error": "The NIK must be exactly 16 digits."},
        {"line": 5, "error": "The line is not valid UTF-8 text."},
        {"line": 7, "error": "This NIK appears earlier in the file."},
        {"line": 8, "error": "The NIK is empty."},
    ]
    assert entries(version) == {crypto.blind_index("nik", nik(n)) for n in (1, 3, 4)}
    assert (version.rows_read, version.rows_imported, version.rows_rejected) == (8, 3, 5)
    assert version.is_current


def test_a_duplicate_in_a_later_batch_is_rejected_with_its_line(asn):
    data = csv_bytes("nik", nik(1), nik(2), nik(3), nik(1), nik(4))

    version = run(asn, data, batch_size=2)

    assert version.errors == [{"line": 5, "error": "This NIK appears earlier in the file."}]
    assert (version.rows_imported, version.rows_rejected) == (4, 1)


def test_only_the_first_errors_are_kept_but_all_are_counted(asn):
    data = csv_bytes("nik", nik(1), *(["123"] * (imports.MAX_ERRORS + 5)))

    version = run(asn, data)

    assert len(version.errors) == imports.MAX_ERRORS and version.errors[-1]["line"] == imports.MAX_ERRORS + 2
    assert version.rows_rejected == imports.MAX_ERRORS + 5


def test_a_line_longer_than_the_limit_is_rejected_without_being_held(asn):
    data = csv_bytes("nik", nik(1)) + b"x" * (3 * imports.MAX_LINE_BYTES) + b"\n" + csv_bytes(nik(2))

    version = run(asn, data)

    assert version.errors == [{"line": 3, "error": "The line is too long."}]
    assert version.rows_imported == 2 and version.bytes_read == len(data)


def test_excel_semicolons_and_a_byte_order_mark_are_read(asn):
    version = run(asn, f"\ufeffNama;Nik\r\nAni;{nik(1)}\r\n".encode())

    assert entries(version) == {crypto.blind_index("nik", nik(1))}


@pytest.mark.parametrize(("data", "code"), [
    (b"", "nik_list_empty"),
    (csv_bytes("nomor,nama", f"{nik(1)},Ani"), "nik_list_no_nik_column"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "nik_list_not_csv"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00nik\n", "nik_list_not_csv"),
    (csv_bytes("nik", "123", "abc"), "nik_list_no_rows"),  # an empty list would exclude nobody
])
def test_a_file_that_is_not_a_nik_list_changes_nothing(asn, data, code):
    first = run(asn, csv_bytes("nik", nik(1)))

    with pytest.raises(NikListImportError) as refused:
        run(asn, data)

    assert refused.value.code == code
    current = NikListVersion.objects.get(nik_list=asn, is_current=True)
    assert current == first and entries(current) == {crypto.blind_index("nik", nik(1))}
    assert not NikListVersion.objects.filter(nik_list=asn, status=ImportStatus.READY).exclude(pk=first.pk).exists()
    assert AuditEntry.objects.filter(action="nik_list.import").count() == 1


def test_a_second_import_replaces_the_first_and_keeps_it(asn):
    first = run(asn, csv_bytes("nik", nik(1), nik(2)))

    second = run(asn, csv_bytes("nik", nik(2), nik(3)))

    first.refresh_from_db()
    assert second.number == 2 and second.is_current and not first.is_current
    assert list(NikListVersion.objects.filter(nik_list=asn, is_current=True)) == [second]
    assert entries(first) == {crypto.blind_index("nik", nik(n)) for n in (1, 2)}  # history kept
    assert entries(second) == {crypto.blind_index("nik", nik(n)) for n in (2, 3)}
    assert AuditEntry.objects.filter(action="nik_list.import").latest("id").data["replaced"] == 1


def test_progress_is_saved_and_reported_every_batch(asn):
    data = csv_bytes("nik", *(nik(n) for n in range(1, 6)))
    seen = []

    def progress(done, total):
        # What an operator watching the admin sees, read back from the database.
        version = NikListVersion.objects.get(nik_list=asn, number=1)
        seen.append((done, total, version.rows_imported, version.bytes_read, version.status))

    run(asn, data, progress=progress, batch_size=2)

    assert [row[2] for row in seen] == [2, 4, 5]
    assert all(row[1] == len(data) and row[0] == row[3] for row in seen)
    assert seen[-1][0] == len(data) and {row[4] for row in seen} == {ImportStatus.IMPORTING}


@pytest.mark.django_db(transaction=True)
def test_a_crash_mid_import_keeps_the_old_version_current(asn, monkeypatch):
    old = run(asn, csv_bytes("nik", nik(1)))
    calls = []
    real_insert = imports._insert

    def insert_then_crash(version_id, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise ConnectionError("the database went away")
        return real_insert(version_id, rows)

    monkeypatch.setattr(imports, "_insert", insert_then_crash)

    with pytest.raises(ConnectionError):
        run(asn, csv_bytes("nik", *(nik(n) for n in range(10, 20))), batch_size=3)

    assert calls == [3, 3]  # the first batch was committed before the crash
    failed = NikListVersion.objects.get(nik_list=asn, number=2)
    assert failed.status == ImportStatus.FAILED and not failed.is_current and failed.finished_at
    assert not entries(failed)
    old.refresh_from_db()
    assert old.is_current and entries(old) == {crypto.blind_index("nik", nik(1))}
    assert AuditEntry.objects.filter(action="nik_list.import").count() == 1


class LazySource(io.RawIOBase):
    """A big file made up on the fly, that refuses unbounded reads and counts the lines handed out."""

    def __init__(self, rows: int):
        self.lines = self._lines(rows)
        self.handed_out = 0
        self.pending = b""

    def _lines(self, rows):
        yield b"nik,keterangan\n"
        for n in range(rows):
            yield f"{nik(n)},{'x' * 200}\n".encode()

    def readable(self):
        return True

    def read(self, size=-1):
        if size is None or size < 0:
            raise AssertionError("read() without a size holds the whole file")
        return self._take(size)

    def readline(self, size=-1):
        if size is None or size < 0:
            raise AssertionError("readline() without a size can hold a whole binary file")
        if not self.pending:
            self.pending = next(self.lines, b"")
            self.handed_out += bool(self.pending)
        line, self.pending = self.pending[:size], self.pending[size:]
        return line

    def _take(self, size):
        out = b""
        while len(out) < size:
            line = self.readline(size - len(out))
            if not line:
                break
            out += line
        return out


def test_the_file_is_streamed_not_read_whole(asn):
    rows, batch = 3000, 250
    source = LazySource(rows)
    handed_out_at_flush = []

    nik_list_import(actor="system", nik_list=asn, source=source, source_agency="BKN", source_date=date(2026, 1, 1),
                    progress=lambda done, total: handed_out_at_flush.append(source.handed_out), batch_size=batch)

    # At each batch the importer has pulled about one batch of lines from
    # the source, never the whole file (f.read(), list(reader), readlines()).
    assert handed_out_at_flush[0] <= batch + 2
    steps = [later - earlier for earlier, later in zip(handed_out_at_flush, handed_out_at_flush[1:], strict=False)]
    assert max(steps) <= batch + 1
    assert NikListVersion.objects.get(nik_list=asn).rows_imported == rows


def test_the_command_imports_a_file_and_prints_the_bad_lines(asn, tmp_path):
    path = tmp_path / "asn-2026-01.csv"
    path.write_bytes(csv_bytes("nik", nik(1), "12345", nik(2), nik(1)))
    out = io.StringIO()

    call_command("import_nik_list", "asn", str(path), "--agency", "BKN", "--date", "2026-01-31", stdout=out)

    version = NikListVersion.objects.get(nik_list=asn, is_current=True)
    assert (version.file_name, version.source_agency, version.source_date) == ("asn-2026-01.csv", "BKN",
                                                                              date(2026, 1, 31))
    assert "2 NIKs imported, 2 rows rejected" in out.getvalue()
    assert "line 3: The NIK must be exactly 16 digits." in out.getvalue()
    assert "line 5: This NIK appears earlier in the file." in out.getvalue()


def test_the_command_fails_on_a_file_that_is_not_a_nik_list(asn, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_bytes(csv_bytes("nomor", nik(1)))

    with pytest.raises(CommandError, match="nik_list_no_nik_column"):
        call_command("import_nik_list", "asn", str(path), "--agency", "BKN", "--date", "2026-01-31",
                     stdout=io.StringIO())
    assert not NikListVersion.objects.exists()


def test_the_admin_lists_show_the_lists_and_the_progress(asn, admin_client, settings, django_assert_max_num_queries):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "StaffSecondFactor" not in m]
    run(asn, csv_bytes("nik", nik(1), nik(2)))
    run(NikList.objects.get(code="tni"), csv_bytes("nik", nik(3)))

    response = admin_client.get(reverse("admin:selection_niklist_changelist"))
    assert response.status_code == 200 and "v1: 2 NIK, BKN 2026-01-31" in response.content.decode()
    with django_assert_max_num_queries(12):  # one query for all current versions, not one per list
        admin_client.get(reverse("admin:selection_niklist_changelist"))
    response = admin_client.get(reverse("admin:selection_niklistversion_changelist"))
    assert response.status_code == 200 and "100%" in response.content.decode()
    for name in ("prioritystatus", "selectionrun", "announcement"):
        assert admin_client.get(reverse(f"admin:selection_{name}_changelist")).status_code == 200
