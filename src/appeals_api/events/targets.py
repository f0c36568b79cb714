"""Where a webhook may be sent (issue 19): not to this network's insides unless allowed.

An admin's subscription URL is fetched by the worker from inside the company's network; left
open, it reaches what no one outside should: a cloud's metadata service (169.254.169.254), the
database's port on localhost, other internal hosts. A target whose address is private,
loopback, link-local, multicast, reserved or unspecified is refused, unless it lies in one of
`APPEALS_WEBHOOK_ALLOWED_NETWORKS` (a receiver on the company's own network). A name is
resolved and every address it gives is checked, when the subscription is made and again before
each delivery (a name may be pointed elsewhere later). A name that does not resolve is left to
the delivery, which fails and is retried like any unreachable receiver.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _inside(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


async def _addresses(host: str) -> list[Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found]


async def refused(url: str, allowed: Sequence[Network]) -> str | None:
    """Why `url` may not be a webhook's target, or None when it may."""
    host = urlsplit(url).hostname or ""
    for address in await _addresses(host):
        if _inside(address) and not any(address in network for network in allowed):
            return (
                f"{address} is a private, loopback, link-local or reserved address; allow its "
                "network in APPEALS_WEBHOOK_ALLOWED_NETWORKS to send there"
            )
    return None
