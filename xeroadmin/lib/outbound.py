"""Requests to addresses a workspace gives us (Slack, Teams, its own webhooks), made safely.

A URL typed into a form must not become a way into our own network. So: https only (plain
http only to a loopback address, and only where `allow_loopback` says so: development and
tests); the address a name resolves to is checked on the socket itself, after it connects
and before anything is sent, so a name that resolves one way when checked and another when
used gains nothing; private, loopback, link-local, multicast and reserved addresses are
refused; short timeouts; no redirects followed; nothing of the URL beyond its host is logged
(a Slack or Teams URL is itself a secret).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

logger = logging.getLogger(__name__)

TIMEOUT = (3.0, 5.0)  # connect, read
MAX_BODY = 64 * 1024  # of an answer, kept for the delivery log


class Refused(Exception):
    """The URL may not be called (its scheme, its address)."""


@dataclass
class Answer:
    status: int
    body: str


def check_url(url: str, *, allow_loopback: bool) -> None:
    """Refuse a URL by its form alone (the address is checked again on the socket)."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise Refused("The address may not carry a user name or password.")
    host = (parts.hostname or "").lower()
    if not host:
        raise Refused("The address has no host.")
    if parts.scheme == "https" or (
        parts.scheme == "http" and allow_loopback and _is_loopback_name(host)
    ):
        pass
    else:
        raise Refused("Only https addresses can be used.")
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, parts.port or 443)}
    except (socket.gaierror, UnicodeError):
        raise Refused(f"{host} could not be found.") from None
    for address in addresses:
        check_address(address, allow_loopback=allow_loopback)


def check_address(address: str, *, allow_loopback: bool) -> None:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback and allow_loopback:
        return
    if (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    ):
        raise Refused("That address is on a private or local network, which is not allowed.")


def _is_loopback_name(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _checked(base: type[HTTPConnection]) -> type[HTTPConnection]:
    class Checked(base):  # type: ignore[misc,valid-type]
        allow_loopback = False

        def connect(self) -> None:
            super().connect()
            peer = self.sock.getpeername()[0] if self.sock else ""
            try:
                check_address(peer, allow_loopback=self.allow_loopback)
            except Refused:
                self.close()
                raise

    return Checked


class _Adapter(HTTPAdapter):
    """Every connection it opens checks the address it reached before sending anything."""

    def __init__(self, *, allow_loopback: bool) -> None:
        self.allow_loopback = allow_loopback
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        allow = self.allow_loopback

        def pool(base: type[HTTPConnectionPool], connection: type[HTTPConnection]) -> type:
            checked = _checked(connection)
            checked.allow_loopback = allow  # type: ignore[attr-defined]
            return type(f"Checked{base.__name__}", (base,), {"ConnectionCls": checked})

        self.poolmanager.pool_classes_by_scheme = {
            "http": pool(HTTPConnectionPool, HTTPConnection),
            "https": pool(HTTPSConnectionPool, HTTPSConnection),
        }
        self.poolmanager.key_fn_by_scheme = dict(self.poolmanager.key_fn_by_scheme)


def post(url: str, body: bytes, headers: dict[str, str], *, allow_loopback: bool = False) -> Answer:
    """POST `body` to `url` once; raises Refused for an address that is not allowed and
    requests' own errors for one that does not answer."""
    check_url(url, allow_loopback=allow_loopback)
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: the socket check is the gate
    adapter = _Adapter(allow_loopback=allow_loopback)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    host = urlsplit(url).hostname
    try:
        answer = session.post(
            url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False, stream=True
        )
        content = answer.raw.read(MAX_BODY, decode_content=True) or b""
        answer.close()
    except requests.RequestException as error:
        # The error's text can hold the URL (a secret of Slack's or Teams'): only its kind.
        logger.info("Outbound POST to %s failed: %s", host, type(error).__name__)
        raise
    finally:
        session.close()
    logger.info("Outbound POST to %s answered %s", host, answer.status_code)
    return Answer(answer.status_code, content.decode("utf-8", errors="replace"))
