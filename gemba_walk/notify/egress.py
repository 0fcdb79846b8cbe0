"""One policy for every address the server fetches on someone's behalf (webhooks, Web Push).

- **Schemes and ports**: ``https`` on 443 or 8443 (plus ``EGRESS_EXTRA_PORTS``); ``http`` only
  where a caller allows it (tests). No user name or password in the address, no odd spelling of
  a number as a host (``2130706433``, ``0x7f.1``, ``0177.0.0.1``).
- **Addresses**: every address a name resolves to must be a public unicast address: the IANA
  IPv4 and IPv6 special-purpose registries are refused (this machine, private networks, CGNAT,
  link-local, multicast, NAT64, 6to4, Teredo, IPv4-mapped and -compatible, unspecified,
  documentation, benchmarking, reserved), and IPv6 outside 2000::/3.
- **Checked where it counts**: the name is resolved once, each answer checked, and the request
  connects to that checked address (TLS still sends the name and verifies the certificate
  against it). A name that answers differently later (DNS rebinding) is caught at delivery.
- **A total deadline** per request (connect, send, every read: ``EGRESS_DEADLINE_SECONDS``), a
  cap on the bytes read of an answer (``EGRESS_MAX_RESPONSE_BYTES``), and no redirects.

Tests talk to receivers on loopback: ``TEST_ALLOW_LOOPBACK_RECEIVERS`` (honoured only when
``TESTING`` is set) lets 127.0.0.0/8 and ::1 through on any port; nothing else changes.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import SplitResult, quote, urlsplit

from flask import current_app

from gemba_walk.core.errors import DomainError
from gemba_walk.core.i18n import gettext
from gemba_walk.notify.addresses import LOOPBACK, Address, denied, ip_literal, is_loopback

Resolver = Callable[[str, int], list[str]]

HTTPS_PORTS = (443, 8443)
MAX_URL_LENGTH = 1000

# Hosts that spell an IPv4 address some other way: decimal, octal, hex, fewer than four parts.
NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*\.?$", re.IGNORECASE)


class EgressRefused(DomainError):
    """An address the server will not fetch; nothing was sent."""

    def __init__(self, code: str, message: str):
        super().__init__(422, code, message)


class EgressFailed(Exception):
    """The request was allowed but did not get an answer (unreachable, too slow, broken)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # lower case, IDNA (ASCII); an IPv6 address without brackets
    port: int
    path: str  # what the request line asks for: path and query
    url: str


@dataclass
class Answer:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    truncated: bool = False
    address: str = ""
    elapsed: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def _setting(name: str):
    return current_app.config[name]


def loopback_allowed() -> bool:
    """The test-only allowance: receivers on 127.0.0.1 / ::1, any port."""
    return bool(_setting("TESTING") and _setting("TEST_ALLOW_LOOPBACK_RECEIVERS"))


def _allowed_address(address: Address) -> bool:
    if loopback_allowed() and any(address in net for net in LOOPBACK):
        return True
    return not denied(address)


def _read(url: object) -> tuple[str, SplitResult, int | None]:
    """The address split into its parts, or EgressRefused: too long, odd characters, unreadable."""
    if not isinstance(url, str) or not url.strip():
        raise EgressRefused("invalid_url", gettext("Give an address that starts with https://."))
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise EgressRefused(
            "invalid_url",
            gettext("The address is longer than %(limit)s characters.", limit=MAX_URL_LENGTH),
        )
    if any(ord(ch) < 33 or ord(ch) == 127 or ch == "\\" for ch in url):
        raise EgressRefused(
            "invalid_url",
            gettext("The address contains spaces, backslashes or control characters."),
        )
    unreadable = gettext(
        "The address cannot be read. Write it as https://host/path; an IPv6 address goes in "
        "brackets, as https://[2001:db8::1]/."
    )
    try:
        parts = urlsplit(url)
        hostinfo = parts.netloc.rpartition("@")[2]
        if "[" not in hostinfo and hostinfo.count(":") > 1:
            raise EgressRefused("invalid_url", unreadable)
        port = parts.port  # a port that is not a number raises here
    except ValueError as error:
        raise EgressRefused("invalid_url", unreadable) from error
    return url, parts, port


def _host_name(host: str) -> str:
    """A host that is not an IP address, as IDNA in lower case; refused if it is no name."""
    if NUMERIC_HOST.match(host):
        raise EgressRefused(
            "invalid_url",
            gettext(
                "%(host)s is not a usual way to write an address; write a name or four "
                "numbers such as 203.0.113.7.",
                host=host,
            ),
        )
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as error:
        raise EgressRefused(
            "invalid_url", gettext("The host %(host)s is not a valid name.", host=host)
        ) from error
    if not re.fullmatch(r"[a-z0-9]([a-z0-9\-_.]*[a-z0-9])?", host) or ".." in host:
        raise EgressRefused(
            "invalid_url", gettext("The host %(host)s is not a valid name.", host=host)
        )
    return host


def _check_port(scheme: str, port: int, literal: Address | None) -> None:
    if loopback_allowed() and literal is not None and is_loopback(literal):
        return
    allowed = set(HTTPS_PORTS) | {int(p) for p in _setting("EGRESS_EXTRA_PORTS")}
    if scheme == "http":
        allowed |= {80}
    if port not in allowed:
        raise EgressRefused(
            "port_not_allowed",
            gettext(
                "Port %(port)s is not allowed; use %(ports)s.",
                port=port,
                ports=", ".join(str(p) for p in sorted(allowed)),
            ),
        )


def parse(url: object, *, allow_http: bool = False) -> Target:
    """The address as the policy reads it, or EgressRefused with a sentence saying why."""
    url, parts, port = _read(url)
    scheme = parts.scheme.lower()
    if scheme != "https" and not (allow_http and scheme == "http"):
        raise EgressRefused("not_https", gettext("The address must start with https://."))
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise EgressRefused("invalid_url", gettext("Put no user name or password in the address."))
    host = parts.hostname or ""
    if not host:
        raise EgressRefused("invalid_url", gettext("The address names no host."))
    host = host.rstrip(".") if not host.endswith("..") else host
    literal = ip_literal(host)
    host = _host_name(host) if literal is None else str(literal)
    port = port if port is not None else (443 if scheme == "https" else 80)
    _check_port(scheme, port, literal)
    if literal is not None:
        check_address(host, literal)
    # Written as sent: letters outside ASCII percent-encoded (the request line is ASCII).
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~-._")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=?~-._")
    return Target(scheme=scheme, host=host, port=port, path=path, url=url)


def check_address(host: str, address: Address) -> None:
    if not _allowed_address(address):
        raise EgressRefused(
            "address_not_public",
            gettext(
                "%(host)s leads to %(address)s, an address of this server, the local network or "
                "another special use; give a public address.",
                host=host,
                address=str(address),
            ),
        )


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def resolve(target: Target) -> list[Address]:
    """Every address the host names, each checked; refused if any one is not public."""
    literal = ip_literal(target.host)
    if literal is not None:
        check_address(target.host, literal)
        return [literal]
    resolver: Resolver = _setting("EGRESS_RESOLVER") or _system_resolver
    try:
        answers = resolver(target.host, target.port)
    except (OSError, UnicodeError) as error:
        raise EgressRefused(
            "unknown_host", gettext("The host %(host)s cannot be found.", host=target.host)
        ) from error
    addresses: list[Address] = []
    for answer in answers:
        address = ipaddress.ip_address(answer.split("%", 1)[0])
        check_address(target.host, address)
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise EgressRefused(
            "unknown_host", gettext("The host %(host)s cannot be found.", host=target.host)
        )
    return addresses


# --- the request ------------------------------------------------------------------------------


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address checked, whatever the name would resolve to now."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """As _PinnedHTTP, with TLS for the name: SNI and the certificate check use the host."""

    def __init__(self, host: str, port: int, address: str, timeout: float, context):
        super().__init__(host, port, timeout=timeout, context=context)
        self.address = address
        self.tls_context = context

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = self.tls_context.wrap_socket(raw, server_hostname=self.host)


def deadline_seconds() -> float:
    return float(_setting("EGRESS_DEADLINE_SECONDS"))


def max_response_bytes() -> int:
    return int(_setting("EGRESS_MAX_RESPONSE_BYTES"))


def _connection(target: Target, address: Address, timeout: float) -> http.client.HTTPConnection:
    if target.scheme == "https":
        context = ssl.create_default_context()
        return _PinnedHTTPS(target.host, target.port, str(address), timeout, context)
    return _PinnedHTTP(target.host, target.port, str(address), timeout)


def _read_answer(response, cap: int, expired: threading.Event, limit: float) -> tuple[bytes, bool]:
    """The answer's first ``cap`` bytes and whether there was more; EgressFailed when the
    deadline passes before it is complete."""
    chunks: list[bytes] = []
    size = 0
    truncated = False
    while True:
        if expired.is_set():
            raise EgressFailed(f"no complete answer within {limit:g} s")
        chunk = response.read1(min(65536, cap - size + 1))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > cap:
            truncated = True
            break
    if expired.is_set() and not truncated:
        raise EgressFailed(f"no complete answer within {limit:g} s")
    return b"".join(chunks)[:cap], truncated


def _post_once(connection, target: Target, body: bytes, headers: dict[str, str], cap: int, limit):
    """Send the request on this connection and read the answer: (response, body, truncated).
    ``limit`` is (seconds left, the whole deadline)."""
    # The deadline covers everything after the connection too: when it passes, the socket is
    # shut, so a receiver that sends one byte every few seconds cannot hold the worker.
    expired = threading.Event()

    def cut() -> None:
        expired.set()
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    left, whole = limit
    timer = threading.Timer(left, cut)
    timer.daemon = True
    timer.start()
    try:
        connection.putrequest("POST", target.path, skip_accept_encoding=True)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            connection.putheader(name, value)
        connection.putheader("Accept-Encoding", "identity")
        connection.putheader("Connection", "close")
        connection.endheaders(body)
        response = connection.getresponse()
        read, truncated = _read_answer(response, cap, expired, whole)
        return response, read, truncated
    except (OSError, http.client.HTTPException) as error:
        if expired.is_set():
            raise EgressFailed(f"no complete answer within {whole:g} s") from error
        raise
    finally:
        timer.cancel()
        connection.close()


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allow_http: bool = False,
    deadline: float | None = None,
    max_bytes: int | None = None,
) -> Answer:
    """POST ``body`` under the policy; the answer's first ``max_bytes`` bytes are kept.

    Raises EgressRefused (the address is not allowed, now) or EgressFailed (no answer in time,
    unreachable, broken). A redirect is an answer like any other: it is not followed."""
    limit = deadline_seconds() if deadline is None else deadline
    cap = max_response_bytes() if max_bytes is None else max_bytes
    started = time.monotonic()
    ends = started + limit
    target = parse(url, allow_http=allow_http)
    addresses = resolve(target)

    def left() -> float:
        remaining = ends - time.monotonic()
        if remaining <= 0:
            raise EgressFailed(f"no answer within {limit:g} s")
        return remaining

    last_error: Exception | None = None
    for address in addresses:
        connection = _connection(target, address, left())
        try:
            response, read, truncated = _post_once(
                connection, target, body, headers, cap, (left(), limit)
            )
        except (OSError, http.client.HTTPException) as error:
            last_error = error
            continue
        return Answer(
            status=response.status,
            reason=response.reason,
            headers={k.lower(): v for k, v in response.getheaders()},
            body=read,
            truncated=truncated,
            address=str(address),
            elapsed=time.monotonic() - started,
        )
    raise EgressFailed(f"{type(last_error).__name__}: {last_error}")


def host_of(url: str) -> str:
    """The host of an address, for logs: a push endpoint's path is a secret capability."""
    try:
        return urlsplit(url).hostname or "?"
    except ValueError:
        return "?"
