"""The client's address, as the login lockout counts it.

Behind a reverse proxy every request comes from the proxy's address, and the client's is in
X-Forwarded-For. That header is written by whoever sends the request, so it is believed only when
the request comes from a configured proxy (TRADING_TRUSTED_PROXIES); otherwise anybody could
escape the per-address limit, or lock another address out, by writing the header.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from litestar.connection import ASGIConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: list[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(connection: ASGIConnection[Any, Any, Any, Any], proxies: tuple[Network, ...]) -> str:
    """The peer's address; when the peer is a trusted proxy, the nearest address in
    X-Forwarded-For that is not one of the trusted proxies (each proxy appends what it saw)."""
    peer = connection.client.host if connection.client else "unknown"
    if not _trusted(peer, proxies):
        return peer
    hops = [
        hop.strip() for value in connection.headers.getall("x-forwarded-for", []) for hop in value.split(",")
    ]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a proxy passed on garbage: count it against the proxy's neighbour
    return peer
