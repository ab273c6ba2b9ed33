"""WAV-3: the application state machine, one table of allowed moves.

joined ("Menunggu Gelombang Ditutup") -> processing ("Sedang Diproses") at the
closing time -> selecting ("Dalam Proses Seleksi") -> passed ("Lulus") or
failed ("Gagal"); a participant who passed can later be revoked (CRD-5).
While still active, an application is withdrawn when the civil registry
rejects a pending identity (REG-3); that bars nothing, so the person may join
a later wave once the identity is fixed. Any other move is a bug and raises.

"Selecting" is mostly not stored: when the selection run starts it records
``Wave.selection_started_at`` instead of rewriting every application (SEL-5:
one full-table pass less). From then on an application of that wave still in
play, stored as processing (or joined, for a join that committed just as the
wave closed), *is* selecting: ``effective`` says so, and every check and
every page goes through it. Rows stored as selecting (runs from before this
rule) mean the same.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    JOINED = "joined", _("Waiting for the wave to close")
    PROCESSING = "processing", _("Being processed")
    SELECTING = "selecting", _("In the selection process")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Not selected")
    REVOKED = "revoked", _("Participation revoked")
    WITHDRAWN = "withdrawn", _("Application withdrawn")


S = ApplicationStatus
TRANSITIONS: dict[str, set[str]] = {
    S.JOINED: {S.PROCESSING, S.WITHDRAWN},
    S.PROCESSING: {S.SELECTING, S.WITHDRAWN},
    S.SELECTING: {S.PASSED, S.FAILED, S.WITHDRAWN},
    S.PASSED: {S.REVOKED},
    S.FAILED: set(),
    S.REVOKED: set(),
    S.WITHDRAWN: set(),
}
# Holding one of these, a person is "in" a wave and may not join another.
ACTIVE = [S.JOINED, S.PROCESSING, S.SELECTING]
# A person who ever reached one of these may never join again (WAV-5).
FINAL_BARS = [S.PASSED, S.REVOKED]


class TransitionError(Exception):
    pass


def effective(status: str, selection_started: bool) -> str:
    """The status an application is in, given whether its wave's selection has started."""
    if selection_started and status in (S.JOINED, S.PROCESSING):
        return S.SELECTING
    return status


def check(current: str, new: str) -> None:
    if new not in TRANSITIONS.get(current, set()):
        raise TransitionError(f"an application cannot go from {current} to {new}")


def sources_of(new: str) -> list[str]:
    """The statuses from which ``new`` may be reached (for set-based UPDATEs)."""
    return [source for source, targets in TRANSITIONS.items() if new in targets]
