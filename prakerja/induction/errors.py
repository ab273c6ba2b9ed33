from prakerja.core.errors import DomainError


class InductionError(DomainError):
    """A refusal about the induction videos (CRD-2): a bad position, a bad file."""
