"""Card numbers (CRD-1): 16 digits, a configurable prefix, random digits from a CSPRNG, a Luhn check digit."""

import secrets

from django.conf import settings

from prakerja.registry import crypto

LENGTH = 16


def luhn_digit(partial: str) -> str:
    """The check digit that makes ``partial + digit`` pass the Luhn test."""
    total = 0
    # From the right of the finished number the check digit is position 1, so
    # the partial's last digit is doubled.
    for position, char in enumerate(reversed(partial)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def is_valid(number: str) -> bool:
    return (len(number) == LENGTH and number.isascii() and number.isdigit()
            and luhn_digit(number[:-1]) == number[-1])


def new_number(prefix: str | None = None) -> str:
    prefix = settings.CARD_NUMBER_PREFIX if prefix is None else prefix
    random_digits = LENGTH - 1 - len(prefix)
    body = prefix + str(secrets.randbelow(10 ** random_digits)).zfill(random_digits)
    return body + luhn_digit(body)


def index_of(number: str) -> str:
    """The blind index partners look a card up by (HMAC under the personal-data index key)."""
    return crypto.blind_index("card", number)


def normalise(text: str) -> str:
    """What a person types ("9123 4567-8901 2345") as 16 digits, or "" if it cannot be a card number."""
    digits = "".join(char for char in str(text) if char not in " -")
    return digits if is_valid(digits) else ""
