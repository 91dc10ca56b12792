"""What a sync target may reach: public hosts only (unless listed), https/wss, SLNG model ids.

One home for the rule, used twice. At save time (``target_url_errors``, called by
``sync.validation.validate_target`` for the API, the admin and the commands) a host written as an
address, in any form the resolver accepts (``127.1``, ``0x7f.1``), and ``localhost`` are
checked without any lookup. At connect time (``connect_checked``, the only way the SLNG client
opens a socket) every name is resolved and each address checked again, and the socket goes to
the address that was checked, so a name that resolves inside later, or only sometimes, is
caught. Loopback, private, link-local, multicast, reserved and unspecified addresses are
refused unless the host is listed in ``LEXICON_PRIVATE_TARGETS`` (``host`` or ``host:port``,
matched as written in the URL: ``127.0.0.1`` does not let ``localhost`` or ``127.1`` through).
"""

import ipaddress
import re
import socket
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from orgs.actors import Actor
from orgs.scoping import restrict

# Lexicon reading on its own account (orgs.scoping: every organization).
REACH_CHECK = Actor.system("reach check")

# SLNG's model ids: provider/model:variant, or slng/provider/model:variant for models SLNG
# hosts (deepgram/aura:2, elevenlabs/eleven-flash:2.5, slng/rime/arcana:3-en).
_MODEL = re.compile(
    r"(?:slng/)?[a-z0-9][a-z0-9-]{0,39}/[a-z0-9][a-z0-9._-]{0,59}:[a-z0-9][a-z0-9._-]{0,39}"
)
MODEL_SHAPE = (
    "Enter an SLNG model id: provider/model:variant, optionally with slng/ first "
    "(e.g. deepgram/aura:2 or slng/rime/arcana:3-en)."
)
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetUnreachable(OSError):
    """The target's host is, or resolves to, an address targets may not reach."""


def listed(host: str, port: int | None) -> bool:
    """Whether ``host`` (as written in the URL) or ``host:port`` is in LEXICON_PRIVATE_TARGETS."""
    entries = {entry.strip().lower() for entry in settings.LEXICON_PRIVATE_TARGETS if entry}
    host = host.lower().strip("[]")
    return host in entries or (port is not None and f"{host}:{port}" in entries)


def address_refusal(address: Address) -> str | None:
    """Why a target may not reach ``address``, or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for refused, what in (
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_unspecified, "an unspecified address"),
        (address.is_reserved, "a reserved address"),
        (address.is_private, "a private address"),
        (not address.is_global, "not a public address"),
    ):
        if refused:
            return f"{address} is {what}"
    return None


def numeric_address(host: str) -> Address | None:
    """The address a host written as one stands for (any form the resolver reads as numeric,
    such as ``127.1``), found without a lookup; None for a name."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except (OSError, UnicodeError):
        return None
    return ipaddress.ip_address(found[0][4][0]) if found else None


def target_url_errors(url: str, schemes: tuple[str, str]) -> list[str]:
    """Save-time problems of a target URL's host and scheme (``schemes``: secure, plain)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "", _port(parts.port)
    if listed(host, port):
        return []
    problems = []
    if settings.LEXICON_TARGETS_REQUIRE_TLS and parts.scheme != schemes[0]:
        problems.append(
            f"Use {schemes[0]}: plain {schemes[1]} is only for hosts listed in "
            "LEXICON_PRIVATE_TARGETS."
        )
    if host == "localhost" or host.endswith(".localhost"):
        problems.append(f"{host} is a loopback name: {_NOT_LISTED}")
    elif (address := numeric_address(host)) is not None and (why := address_refusal(address)):
        problems.append(f"{why}: {_NOT_LISTED}")
    return problems


_NOT_LISTED = "targets reach public hosts only, unless listed in LEXICON_PRIVATE_TARGETS."


def _port(port: object) -> int | None:
    return port if isinstance(port, int) else None


def model_errors(model: str) -> list[str]:
    """Problems of a target's model id (it becomes part of the TTS URL's path)."""
    return [] if _MODEL.fullmatch(model) and ".." not in model else [MODEL_SHAPE]


def connect_checked(host: str, port: int, timeout: float | None) -> socket.socket:
    """A TCP connection to ``host``:``port``, made only to addresses a target may reach.

    A listed host connects wherever it resolves. Otherwise every address the name resolves to
    must be public (one inside refuses the whole name: a resolver that answers differently each
    time cannot pick); the socket goes to an address that was checked, never to a second lookup.
    Raises TargetUnreachable (an OSError, which the client reports as unavailable).
    """
    infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    if not listed(host, port):
        for info in infos:
            why = address_refusal(ipaddress.ip_address(info[4][0]))
            if why:
                raise TargetUnreachable(f"{host}: {why}; not listed in LEXICON_PRIVATE_TARGETS")
    error: OSError = TargetUnreachable(f"{host}: no address")
    for family, kind, proto, _, sockaddr in infos:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        return sock
    raise error


@checks.register(checks.Tags.security)
def stored_targets_check(app_configs: Any = None, **_: Any) -> list[checks.CheckMessage]:
    """Warn (``manage.py check``) about stored targets the rules above would now refuse: their
    connections are refused until an organization admin fixes them, so they are named here."""
    from sync.models import SyncTarget

    try:
        targets = list(
            restrict(SyncTarget, REACH_CHECK).select_related("organization").order_by("pk")
        )
    except DatabaseError:
        return []  # no database yet (a build step, before migrate): nothing stored to check
    warnings: list[checks.CheckMessage] = []
    for target in targets:
        problems = [
            *(f"base_url: {p}" for p in target_url_errors(target.base_url, ("https", "http"))),
            *(f"ws_url: {p}" for p in target_url_errors(target.ws_url, ("wss", "ws"))),
            *(f"model: {p}" for p in model_errors(target.model)),
        ]
        if problems:
            warnings.append(
                checks.Warning(
                    f"Sync target {target} breaks the target rules: {'; '.join(problems)}",
                    hint="Fix the target in the admin, or list its host in "
                    "LEXICON_PRIVATE_TARGETS if it is meant to be inside.",
                    obj=target,
                    id="sync.W001",
                )
            )
    return warnings
