"""The client's address, as the login lockout counts it and the collusion signals record it,
and the device the client names.

Behind a reverse proxy every request comes from the proxy's address, and the client's is in
X-Forwarded-For. That header is written by whoever sends the request, so it is believed only when
the request comes from a configured proxy (TRADING_TRUSTED_PROXIES); otherwise anybody could
escape the per-address limit, or lock another address out, by writing the header.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
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


# The installation id a client tool sends (the sealing tool writes one per installation, see
# docs/sealed-bids.md). Bidders can forge it, so it only ever feeds advice (the collusion signals).
DEVICE_HEADER = "x-trading-device"
_DEVICE = re.compile(r"[A-Za-z0-9._-]{1,64}")


@dataclass(frozen=True)
class Origin:
    """Where a submission or upload came from: the client's address and the device it named."""

    address: str | None
    device: str | None


def device_id(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The X-Trading-Device header when it is 1-64 letters, digits, '.', '_' or '-'; None otherwise.
    A malformed value is dropped rather than refused: a bid is never turned away for advice."""
    value = connection.headers.get(DEVICE_HEADER, "").strip()
    return value if _DEVICE.fullmatch(value) else None


def request_origin(connection: ASGIConnection[Any, Any, Any, Any], proxies: tuple[Network, ...]) -> Origin:
    address = client_address(connection, proxies)
    return Origin(address=None if address == "unknown" else address[:45], device=device_id(connection))
