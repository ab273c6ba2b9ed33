"""allauth's rate limits (ACCOUNT_RATE_LIMITS), counted with fewer round trips to Redis.

allauth counts each rate under a lock in the cache: add the lock, get the
hits, set them, delete the lock, four round trips a rate. A sign-in consumes
"login_failed" (two rates, before the password is checked, so that parallel
guesses cannot outrun the limit) and, when the password was right, rolls that
consumption back: sixteen round trips, about a millisecond of CPU. Here the
same locks, keys and values travel together: the locks and the reads in one
round trip, the writes and the unlocks in another, four in all.

What is counted and when is allauth's own (``apply_rate``, ``get_cache_key``,
``get_rates``, the lock's key and lifetime). When a lock is held by another
request, or the cache is not our Redis cache (the embedded default, tests),
allauth's own code does the work, waiting for the lock as it does.
"""

import time

from allauth.core.internal import ratelimit as allauth_ratelimit
from django.core.cache import cache


def _batched() -> bool:
    return hasattr(cache, "lock_and_get")


class RateLimitUsage(allauth_ratelimit.RateLimitUsage):
    def rollback(self) -> None:
        """allauth's rollback of each rate (the hit at its timestamp removed), in two round trips."""
        if not self.usage or not _batched():
            return super().rollback()
        keys = [usage.cache_key for usage in self.usage]
        locked, histories = cache.lock_and_get(keys, allauth_ratelimit.CACHE_LOCK_TIMEOUT)
        if not all(locked):
            cache.set_and_unlock({}, [key for key, taken in zip(keys, locked, strict=True) if taken])
            return super().rollback()
        cache.set_and_unlock({usage.cache_key: ([ts for ts in (history or []) if ts != usage.timestamp],
                                                usage.cache_duration)
                              for usage, history in zip(self.usage, histories, strict=True)}, keys)


def consume(request, *, action: str, key=None, app: str = "allauth.account") -> RateLimitUsage | None:
    """allauth.core.internal.ratelimit.consume for a POST (not a dry run): the usage, or None when limited."""
    usage = RateLimitUsage(usage=[])
    if request.method == "GET":  # as allauth without limit_get
        return usage
    rates = allauth_ratelimit.get_rates(app=app, action=action)
    if not rates:
        return usage
    if not _batched():
        return _allauths(request, app=app, action=action, key=key)
    keys = [allauth_ratelimit.get_cache_key(request, app=app, action=action, rate=rate, key=key) for rate in rates]
    locked, histories = cache.lock_and_get(keys, allauth_ratelimit.CACHE_LOCK_TIMEOUT)
    if not all(locked):
        cache.set_and_unlock({}, [k for k, taken in zip(keys, locked, strict=True) if taken])
        return _allauths(request, app=app, action=action, key=key)
    writes = {}
    allowed = True
    now = time.time()
    for rate, cache_key, history in zip(rates, keys, histories, strict=True):
        # In order, stopping at the first rate that refuses; the rates before it keep their hit, as in allauth.
        allowed, history = allauth_ratelimit.apply_rate(history or [], now, rate)
        if not allowed:
            break
        writes[cache_key] = (history, rate.duration)
        usage.usage.append(allauth_ratelimit.SingleRateLimitUsage(
            cache_key=cache_key, timestamp=now, cache_duration=rate.duration))
    cache.set_and_unlock(writes, keys)
    return usage if allowed else None


def _allauths(request, *, app, action, key) -> RateLimitUsage | None:
    found = allauth_ratelimit.consume(request, app=app, action=action, key=key)
    return None if found is None else RateLimitUsage(usage=found.usage)
