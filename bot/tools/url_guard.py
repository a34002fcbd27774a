"""Which URLs and addresses ``fetch_url`` may reach: pure, table-tested (SSRF guard).

A URL must be ``http`` or ``https`` with a host and no user name or password. Every address the host
resolves to must be public: private, loopback, link-local, multicast, reserved, unspecified, shared
(carrier-grade NAT) and documentation ranges are refused, and so are IPv6 forms that carry such an IPv4
address inside them (IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible ``::a.b.c.d``, 6to4 ``2002::/16``,
Teredo ``2001::/32``, NAT64 ``64:ff9b::/96``). One refused address refuses the host: a name that resolves
to a public and a private address could be made to connect to either.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Returns why an address is refused, or None when it may be reached.
AddressCheck = Callable[[IPAddress], str | None]

NAT64 = ipaddress.ip_network("64:ff9b::/96")
SCHEMES = ("http", "https")


class UrlRefused(ValueError):
    """The URL or one of its addresses may not be fetched; the message says why (for the model and the user)."""


def _refusal(ip: IPAddress) -> str | None:
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        return "a private-network address"
    if not ip.is_global:
        return "not a public address"
    return None


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, compatible, 6to4, Teredo client, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]  # (server, client): the client is the host traffic reaches
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if int(ip) >> 32 == 0 and int(ip) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_refusal(ip: IPAddress) -> str | None:
    """Why `ip` may not be fetched from, or None for a public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return "a scoped (link-local) address"
        inner = embedded_ipv4(ip)
        if inner is not None:  # the IPv4 host it reaches decides
            reason = _refusal(inner)
            return f"{reason} inside an IPv6 address" if reason else None
    return _refusal(ip)


def check_addresses(host: str, addresses: list[IPAddress], check: AddressCheck = address_refusal) -> None:
    """Raise UrlRefused unless every address of `host` passes `check` (and there is at least one)."""
    if not addresses:
        raise UrlRefused(f"{host} has no address")
    for ip in addresses:
        reason = check(ip)
        if reason:
            raise UrlRefused(f"{host} resolves to {ip}, {reason}; fetch_url reaches public web addresses only")


def literal_address(host: str) -> IPAddress | None:
    """The address when `host` is an IP literal (``[::1]`` or ``10.0.0.1``), else None.

    Also the shorthand forms that resolvers accept as IPv4 (``127.1``, ``0x7f.1``, ``2130706433``): they must
    be judged as the address they stand for, not sent to DNS as a name.
    """
    text = host.strip("[]")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    parts = text.split(".")
    if 1 <= len(parts) <= 4 and all(_int_part(p) is not None for p in parts):
        return _inet_aton(parts)
    return None


def _int_part(part: str) -> int | None:
    try:
        if part.lower().startswith("0x"):
            return int(part, 16)
        if len(part) > 1 and part.startswith("0"):
            return int(part, 8)
        return int(part, 10)
    except ValueError:
        return None


def _inet_aton(parts: list[str]) -> IPAddress | None:
    values = [_int_part(p) or 0 for p in parts]
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (5 - len(values)):
        return None
    number = 0
    for v in head:
        number = number * 256 + v
    number = (number << (8 * (5 - len(values)))) | last
    return ipaddress.IPv4Address(number)


def checked_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL fetch_url may request, or UrlRefused saying what is wrong with it."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise UrlRefused(f"{url!r} is not a valid URL ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise UrlRefused(f"only http and https URLs can be fetched, not {scheme or 'a URL without a scheme'}")
    if not parts.hostname:
        raise UrlRefused(f"{url!r} has no host")
    if parts.username is not None or parts.password is not None:
        raise UrlRefused("URLs with a user name or password are not fetched")
    return scheme, parts.hostname.rstrip("."), port or (443 if scheme == "https" else 80)
