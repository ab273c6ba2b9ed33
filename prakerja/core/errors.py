"""One base for every refusal a domain raises (issue 15).

``code`` is stable English (``nik_taken``, ``wave_closed``): tests, logs and
the partner API map it to their own vocabulary without a second list.
``message`` is what a person reads, translated (Indonesian by default).
``field`` names the form field the message belongs to, if any.
"""


class DomainError(Exception):
    def __init__(self, code: str, message, field: str | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r})"
