class RegistryError(Exception):
    """A refusal the registrant must see: ``code`` is stable, ``message`` is translated.

    ``field`` names the form field the message belongs to, if any.
    """

    def __init__(self, code: str, message, field: str | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field
