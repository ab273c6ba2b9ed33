"""NIK lists imported from an agency's CSV file (SEL-2 exclusion lists, SEL-4 priority lists).

Only the keyed hash of each NIK is stored, computed exactly as the registry
computes ``Profile.nik_index`` (``crypto.blind_index("nik", nik)``), so the
selection matches a list against registrants without either side holding
the other's numbers in clear.

A list file may hold millions of rows: the importer streams it line by line
(never the whole file, never a list of all rows) and commits one batch at a
time, so memory stays bounded and an operator watching the admin sees the
counts move. The new version becomes current only at the end, in one
transaction; until then, and forever if the import fails, the selection keeps
checking the previous version.
"""

import csv
import io
import os
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.db import connection, reset_queries, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prakerja.audit.services import audit_record
from prakerja.core.errors import DomainError
from prakerja.registry import crypto
from prakerja.selection.models import ImportStatus, NikList, NikListEntry, NikListVersion

BATCH_SIZE = 5000
MAX_ERRORS = 100  # kept in version.errors; every bad row still counts in rows_rejected
# A longer line is rejected and skipped without being held: a binary file
# with no newline must not be read into memory as one "line".
MAX_LINE_BYTES = 64 * 1024
INSERT_ROWS = 5000
NIK_COLUMN = "nik"
DELIMITERS = (",", ";", "\t")  # Excel in the Indonesian locale writes ";"


class NikListImportError(DomainError):
    """The file as a whole cannot be imported; the current version is unchanged."""


def _is_nik(value: str) -> bool:
    return len(value) == 16 and value.isascii() and value.isdigit()


class _Lines:
    """Physical lines of a binary source, at most MAX_LINE_BYTES each, counting the bytes read."""

    def __init__(self, source):
        self.source = source
        self.bytes_read = 0

    def __iter__(self):
        while True:
            raw = self.source.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            self.bytes_read += len(raw)
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                # Drain the rest of the over-long line in bounded pieces.
                while raw and not raw.endswith(b"\n"):
                    raw = self.source.readline(MAX_LINE_BYTES)
                    self.bytes_read += len(raw)
                yield None
            else:
                yield raw


def _size(source) -> int:
    """Bytes left to read, if the source can tell (a file on disk, an upload); else 0."""
    try:
        if source.seekable():
            here = source.tell()
            end = source.seek(0, io.SEEK_END)
            source.seek(here)
            return end - here
    except (AttributeError, OSError):
        pass
    return int(getattr(source, "size", 0) or 0)


def _header(lines) -> tuple[str, int]:
    """The delimiter and the index of the ``nik`` column, from the first line (SEL-2)."""
    raw = next(iter(lines), None)
    if raw is None:
        raise NikListImportError("nik_list_empty", _("The file is empty: it has no header row."))
    try:
        text = raw.decode("utf-8-sig") if raw is not None else None  # None: longer than any header
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise NikListImportError("nik_list_not_csv", _("The file is not a CSV text file in UTF-8."))
    text = text.rstrip("\r\n")
    for delimiter in DELIMITERS:
        names = [name.strip().lower() for name in next(csv.reader([text], delimiter=delimiter), [])]
        if NIK_COLUMN in names:
            return delimiter, names.index(NIK_COLUMN)
    raise NikListImportError("nik_list_no_nik_column",
                             _("The header row has no column named “nik”."))


def _insert(version_id: int, rows: dict[str, int]) -> set[str]:
    """Insert one batch of blind indexes; returns those that were new to this version."""
    table = connection.ops.quote_name(NikListEntry._meta.db_table)
    version_col = connection.ops.quote_name(NikListEntry._meta.get_field("version").column)
    index_col = connection.ops.quote_name("nik_index")
    indexes = list(rows)
    inserted: set[str] = set()
    with connection.cursor() as cursor:
        # In statements of INSERT_ROWS rows: SQLite allows 32766 parameters.
        for start in range(0, len(indexes), INSERT_ROWS):
            chunk = indexes[start:start + INSERT_ROWS]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            params = [part for index in chunk for part in (version_id, index)]
            # RETURNING tells which rows a conflict skipped, so a NIK repeated
            # from an earlier batch is reported by its line number without
            # keeping every index of a 5-million-row file in memory. Only
            # quoted model identifiers are formatted in; values are parameters.
            cursor.execute(f"INSERT INTO {table} ({version_col}, {index_col}) VALUES {values} "  # noqa: S608  # nosec B608
                           f"ON CONFLICT DO NOTHING RETURNING {index_col}", params)
            inserted.update(row[0] for row in cursor.fetchall())
    return inserted


def nik_list_import(*, actor, nik_list: NikList, source, source_agency: str, source_date: date,
                    file_name: str = "", progress: Callable[[int, int], None] | None = None,
                    batch_size: int = BATCH_SIZE) -> NikListVersion:
    """Import a new version of ``nik_list`` from a CSV with a ``nik`` column (SEL-2, SEL-4).

    ``source`` is a binary file object or a path. Rows whose NIK is not 16
    digits, that are not UTF-8, or that repeat a NIK are rejected by line
    number and the rest imported. A file that cannot be read as a NIK list
    at all (empty, no ``nik`` column, not text, no valid row) raises
    ``NikListImportError`` and the current version stays current; so does
    any crash during the import, which leaves the new version ``failed``.

    Commits on its own (``durable=True``): one transaction per batch keeps a
    multi-million-row import from being one huge transaction and lets the
    admin show its progress; the switch to the new version is its own last
    transaction.
    """
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as opened:
            return nik_list_import(actor=actor, nik_list=nik_list, source=opened, source_agency=source_agency,
                                   source_date=source_date, file_name=file_name or os.path.basename(source),
                                   progress=progress, batch_size=batch_size)
    bytes_total = _size(source)
    lines = _Lines(source)
    line_iter = iter(lines)
    delimiter, column = _header(line_iter)

    with transaction.atomic(durable=True):
        # The list's row serialises the numbering of concurrent imports.
        locked = NikList.objects.select_for_update().get(pk=nik_list.pk)
        last = NikListVersion.objects.filter(nik_list=locked).order_by("-number").values_list("number", flat=True)
        version = NikListVersion.objects.create(
            nik_list=locked, number=(last.first() or 0) + 1, source_agency=source_agency, source_date=source_date,
            file_name=file_name[:255], status=ImportStatus.IMPORTING, is_current=False, bytes_total=bytes_total,
            bytes_read=lines.bytes_read, imported_by=None if actor is None or isinstance(actor, str) else actor)

    counts = {"rows_read": 0, "rows_imported": 0, "rows_rejected": 0}
    errors: list[dict] = []

    def reject(line: int, message: str) -> None:
        counts["rows_rejected"] += 1
        if len(errors) < MAX_ERRORS:
            errors.append({"line": line, "error": message})

    def flush(batch: dict[str, int]) -> None:
        with transaction.atomic(durable=True):
            if batch:
                inserted = _insert(version.pk, batch)
                counts["rows_imported"] += len(inserted)
                for index, line in batch.items():
                    if index not in inserted:
                        reject(line, _("This NIK appears earlier in the file."))
            NikListVersion.objects.filter(pk=version.pk).update(bytes_read=lines.bytes_read, errors=errors,
                                                                **counts)
        if settings.DEBUG:
            reset_queries()  # DEBUG keeps up to 9000 queries; here each holds a whole batch of parameters
        if progress is not None:
            progress(lines.bytes_read, bytes_total)

    try:
        batch: dict[str, int] = {}  # blind index -> line number, at most batch_size
        for line, raw in enumerate(line_iter, start=2):
            if raw is None:
                counts["rows_read"] += 1
                reject(line, _("The line is too long."))
                continue
            try:
                text = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                counts["rows_read"] += 1
                reject(line, _("The line is not valid UTF-8 text."))
                continue
            if not text.strip():
                continue  # a blank line is no row (as the csv module reads it)
            counts["rows_read"] += 1
            # One line, one row: a stray quote cannot swallow the lines after it.
            fields = next(csv.reader([text], delimiter=delimiter), [])
            nik = fields[column].strip() if column < len(fields) else ""
            if not nik:
                reject(line, _("The NIK is empty."))
                continue
            if not _is_nik(nik):
                reject(line, _("The NIK must be exactly 16 digits."))
                continue
            index = crypto.blind_index("nik", nik)  # the same call as registry identity_submit
            if index in batch:
                reject(line, _("This NIK appears earlier in the file."))
                continue
            batch[index] = line
            if len(batch) >= batch_size:
                flush(batch)
                batch = {}
        flush(batch)
        if not counts["rows_imported"]:
            raise NikListImportError("nik_list_no_rows", _("The file has no valid NIK: nothing was imported."))

        with transaction.atomic(durable=True):
            locked = NikList.objects.select_for_update().get(pk=nik_list.pk)
            previous = NikListVersion.objects.filter(nik_list=locked, is_current=True).first()
            if previous is not None:
                # Before the new one is set: the partial unique constraint
                # allows one current version per list at every moment.
                NikListVersion.objects.filter(pk=previous.pk).update(is_current=False)
            NikListVersion.objects.filter(pk=version.pk).update(
                is_current=True, status=ImportStatus.READY, finished_at=timezone.now(),
                bytes_read=lines.bytes_read, errors=errors, **counts)
            version.refresh_from_db()
            audit_record(actor=actor, action="nik_list.import", target=version, data={
                "list": locked.code, "number": version.number, "replaced": previous.number if previous else None,
                "source_agency": source_agency, "source_date": source_date.isoformat(), "file_name": file_name,
                "bytes": lines.bytes_read, **counts})
    except BaseException:
        # Not swallowed: re-raised after the half-imported version is marked
        # failed and its entries removed (KeyboardInterrupt included).
        with transaction.atomic(durable=True):
            NikListEntry.objects.filter(version_id=version.pk).delete()
            NikListVersion.objects.filter(pk=version.pk).update(
                status=ImportStatus.FAILED, is_current=False, finished_at=timezone.now(),
                bytes_read=lines.bytes_read, errors=errors, **counts)
        raise
    return version
