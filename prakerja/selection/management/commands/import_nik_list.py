import contextlib
import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from prakerja.selection.imports import NikListImportError, nik_list_import
from prakerja.selection.models import NikList

SHOWN_ERRORS = 20
LINE_EVERY = 5  # seconds between percentage lines without a terminal bar


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}") from exc


@contextlib.contextmanager
def _progress(stdout, label: str, show: bool):
    """A callback ``(bytes_read, bytes_total)``: a bar on a terminal, else a line every few seconds.

    rich is only a development dependency (through bandit), so production
    falls back to plain lines rather than require it.
    """
    if show and stdout.isatty():
        try:
            from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
        except ImportError:
            pass
        else:
            with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                          transient=True) as bar:
                task = bar.add_task(label, total=None)
                yield lambda done, total: bar.update(task, completed=done, total=total or None)
            return
    last = time.monotonic()

    def line(done: int, total: int) -> None:
        nonlocal last
        if show and time.monotonic() - last >= LINE_EVERY:
            last = time.monotonic()
            stdout.write(f"{label}: {done * 100 // total}%" if total else f"{label}: {done} bytes")

    yield line


class Command(BaseCommand):
    help = ("Import a new version of a NIK list (SEL-2 exclusion, SEL-4 priority) from a CSV with a 'nik' "
            "column. Bad rows are skipped and reported by line number; the new version replaces the current "
            "one only when the whole file is read.")

    def add_arguments(self, parser):
        parser.add_argument("code", help="the list's code, e.g. asn, pkh, phk-kemnaker")
        parser.add_argument("file", type=Path, help="CSV file, UTF-8, with a header row containing 'nik'")
        parser.add_argument("--agency", required=True, help="the agency the file comes from")
        parser.add_argument("--date", required=True, type=_date, help="the date of the agency's data, YYYY-MM-DD")

    def handle(self, *args, code: str, file: Path, agency: str, date: date, verbosity: int, **options):
        try:
            nik_list = NikList.objects.get(code=code)
        except NikList.DoesNotExist as exc:
            codes = ", ".join(NikList.objects.values_list("code", flat=True))
            raise CommandError(f"no NIK list {code!r}; the lists are: {codes}") from exc
        try:
            source = file.open("rb")
        except OSError as exc:
            raise CommandError(f"{file}: {exc}") from exc
        try:
            with source, _progress(self.stdout, f"{code} <- {file.name}", verbosity >= 1) as progress:
                version = nik_list_import(actor="system", nik_list=nik_list, source=source, source_agency=agency,
                                          source_date=date, file_name=file.name, progress=progress)
        except NikListImportError as exc:
            raise CommandError(f"{file}: {exc.message} ({exc.code}); the current version is unchanged") from exc
        self.stdout.write(f"{nik_list.code} v{version.number} is now current: {version.rows_imported} NIKs "
                          f"imported, {version.rows_rejected} rows rejected, {version.rows_read} rows read")
        for error in version.errors[:SHOWN_ERRORS]:
            self.stdout.write(f"  line {error['line']}: {error['error']}")
        if version.rows_rejected > SHOWN_ERRORS:
            self.stdout.write(f"  ... {version.rows_rejected - SHOWN_ERRORS} more rejected rows "
                              f"(the first {len(version.errors)} are kept on the version in the admin)")
