"""Personal data at rest (PRV, UU 27/2022): encryption and blind indexes.

NIK and KK numbers are stored encrypted with Fernet (AES-128-CBC + HMAC).
``PERSONAL_DATA_KEYS`` is a list: the first key encrypts new writes, every
key decrypts, so a key is rotated without downtime by putting a new key
first, deploying, running ``manage.py rotate_personal_data`` to re-encrypt
old rows, and then dropping the old key.

Lookups and uniqueness use a blind index: HMAC-SHA256 of the number under
a separate key, so equal numbers give equal indexes without the database
ever holding the number itself.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    pass


@lru_cache(maxsize=1)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _keys() -> tuple[str, ...]:
    return tuple(settings.PERSONAL_DATA_KEYS)


def encrypt(value: str) -> str:
    return _fernet(_keys()).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet(_keys()).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("no configured key decrypts this value") from exc


def rotate(token: str) -> str:
    """Re-encrypt under the first key (a no-op in meaning, new ciphertext)."""
    return _fernet(_keys()).rotate(token.encode()).decode()


def blind_index(kind: str, value: str) -> str:
    key = settings.PERSONAL_DATA_INDEX_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def dev_key(label: str, secret: str) -> str:
    """A deterministic key for the embedded default, derived from SECRET_KEY."""
    import base64

    return base64.urlsafe_b64encode(hashlib.sha256(f"{label}:{secret}".encode()).digest()).decode()
