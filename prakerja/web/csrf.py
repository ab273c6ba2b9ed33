"""A CSRF token for a page served from a cache: Django's ``get_token``, with the mask drawn in one read.

The cached home page and the registrant's dashboard (web/views.py) put a
fresh token into every response. Django masks the secret with 32 characters
from ``secrets.choice``, one read of the system's randomness each: about
25 µs, a tenth of what serving such a page costs (``make bench``). Here the
mask comes from one ``os.urandom`` read, each byte under 248 mapped onto the
62 allowed characters (248 = 4 × 62, so every character is equally likely;
larger bytes are dropped). The token is what Django's would be: a random
mask, then the secret shifted by it, checked by CsrfViewMiddleware as any
other (tests/web/test_csrf_token.py). The cookie side is Django's own: the
secret from the request's cookie, or a new one, and the cookie sent again.
"""

import os

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token

_CHARS = CSRF_ALLOWED_CHARS
_LIMIT = 256 - 256 % len(_CHARS)  # 248: the bytes that map evenly onto the characters
_INDEX = {char: index for index, char in enumerate(_CHARS)}


def random_mask(length: int = CSRF_SECRET_LENGTH) -> str:
    picked: list[str] = []
    while len(picked) < length:
        picked += [_CHARS[byte % len(_CHARS)] for byte in os.urandom(length + 8) if byte < _LIMIT]
    return "".join(picked[:length])


def csrf_token(request) -> str:
    """``django.middleware.csrf.get_token``: the same token, the same side effects."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        return get_token(request)  # no cookie yet: Django makes the secret and sets the cookie
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # as get_token: the cookie is used, so it is sent again
    mask = random_mask()
    size = len(_CHARS)
    return mask + "".join(_CHARS[(_INDEX[s] + _INDEX[m]) % size] for s, m in zip(secret, mask, strict=True))
