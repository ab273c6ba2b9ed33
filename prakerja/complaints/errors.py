"""The complaints desk's refusals: one class, so a view catches one thing (``code`` says which)."""

from prakerja.core.errors import DomainError


class ComplaintError(DomainError):
    pass
