"""The client's address, the same for rate limits, allauth and the request log.

Behind a load balancer REMOTE_ADDR is the balancer for every request, so a
per-IP limit would be one national limit. Only the proxies we run may be
believed: with ``TRUSTED_PROXY_COUNT = n`` the client is the n-th address
from the right of X-Forwarded-For (each of our proxies appends the address
it saw); anything further left was written by the client and is ignored.
``CLIENT_IP_HEADER`` (e.g. X-Real-IP) is for balancers that set one header
with the client address and overwrite whatever the client sent.
"""

import functools
import ipaddress

from django.conf import settings

# No usable peer address (a test client, a unix socket): one shared bucket.
# A rate-limit key, never an address to bind to.
UNKNOWN = "0.0.0.0"  # noqa: S104  # nosec B104


@functools.lru_cache(maxsize=4096)  # a busy server sees the same few thousand addresses
def _clean(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.5:443
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The address of the person, as far as our own proxies vouch for it."""
    remote = _clean(request.META.get("REMOTE_ADDR")) or UNKNOWN
    # META, not request.headers: that builds a dict of every header on first use (the request log asks here
    # on every request).
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    if header:
        return _clean(request.META.get(_meta_key(header))) or remote
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        # Fewer hops than proxies: the request did not come through all of
        # them (a direct hit on a web machine); the peer is all we know.
        return remote
    return _clean(hops[-count]) or remote


@functools.lru_cache(maxsize=8)
def _meta_key(header: str) -> str:
    """Where a request header is in ``request.META``, as Django's HttpHeaders reads it."""
    return "HTTP_" + header.upper().replace("-", "_")


def client_network(request) -> str:
    """The client address for counting: an IPv6 address as its /64, which one subscriber usually holds whole
    (as allauth counts per client), so rotating addresses within it is one client; IPv4 as it is."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return f"{ipaddress.ip_network((parsed, 64), strict=False).network_address}/64"
    return address
