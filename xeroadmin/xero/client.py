"""`XeroClient`: calls the Accounting API for one organisation, with Xero's discipline built in.

Every call carries the tenant header and a timeout, waits for the governor, retries network
errors and 5xx with backoff and jitter, waits out a 429 as Xero asks, renews an expired token
once, sends an `Idempotency-Key` on every write, and turns any failure into a typed error.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import random
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests

from xeroadmin.lib import exactjson
from xeroadmin.xero import endpoints
from xeroadmin.xero.errors import (
    XeroConnectionRevoked,
    XeroError,
    XeroForbidden,
    XeroNotFound,
    XeroRateLimited,
    XeroTokenExpired,
    XeroUnavailable,
    XeroValidationError,
)
from xeroadmin.xero.governor import BACKGROUND, READ, WRITE, Governor

logger = logging.getLogger(__name__)

PAGE_SIZE = 1000
TIMEOUT = (5.0, 60.0)  # connect, read
WRITE_METHODS = {"POST", "PUT", "PATCH"}
# Records whose unit amounts and prices are kept to 4 decimals here (the editor takes them).
# Xero rounds them to 2, and computes line amounts from the rounded price, unless a read or
# write says `unitdp=4`; so every call on these records says it. Source: OAS-ACC `unitdp`.
UNITDP_RESOURCES = frozenset(
    {"invoices", "items", "creditnotes", "quotes", "purchaseorders", "banktransactions"}
)


# Seconds that calls made inside `holding()` spent waiting for the rate limits.
_HELD: ContextVar[list[float] | None] = ContextVar("xero_held", default=None)


@contextmanager
def holding() -> Iterator[list[float]]:
    """Add up how long the calls made inside waited for the rate limits (in `[0]`)."""
    box = [0.0]
    token = _HELD.set(box)
    try:
        yield box
    finally:
        _HELD.reset(token)


@dataclass(frozen=True)
class Purpose:
    """Who waits for a call, and so how long it may take: a person at a page gets a short read
    timeout and at most one retry (a clear message within seconds beats a page held for
    minutes); workers keep the long ones. `priority` orders them at the governor."""

    priority: int
    max_wait: float
    retries: int
    timeout: tuple[float, float]


PURPOSES = {
    # A person's write waits out a short rate-limit wait and then goes; only a long one fails.
    "write": Purpose(WRITE, max_wait=12.0, retries=1, timeout=(5.0, 15.0)),
    "read": Purpose(READ, max_wait=5.0, retries=1, timeout=(5.0, 10.0)),
    "background": Purpose(BACKGROUND, max_wait=60.0, retries=3, timeout=TIMEOUT),
}


class TokenSource(Protocol):
    def access_token(self, *, force: bool = False) -> str:
        """A valid access token; with `force`, a renewed one even if the stored one looks fresh."""
        ...


@dataclass
class XeroResponse:
    status: int
    headers: Mapping[str, str]
    content: bytes
    elapsed_ms: float = 0.0

    def json(self) -> Any:
        if not self.content:
            return None
        try:
            # Xero's amounts are decimals: a float would turn 99999999999999.9999 into 1e14.
            return exactjson.loads(self.content)
        except (ValueError, RecursionError):
            raise XeroUnavailable("Xero sent an answer that is not valid JSON.") from None


@dataclass
class Wait:
    """A wait Xero asked for (a 429), kept so the page can say so."""

    seconds: float
    problem: str

    def __str__(self) -> str:
        return f"Xero asked us to wait {max(1, round(self.seconds))} s ({self.problem} limit)."


@dataclass
class XeroClient:
    tenant_id: str
    app: str
    tokens: TokenSource
    governor: Governor | None = None
    # How long one call may wait for rate limits before giving up with XeroRateLimited.
    max_wait: float = 30.0
    retries: int = 3
    timeout: tuple[float, float] = TIMEOUT
    session: requests.Session = field(default_factory=lambda: _session())
    on_error: Callable[[XeroError], None] | None = None
    on_wait: Callable[[Wait], None] | None = None
    # Told of each answer Xero sent: the path called and the bytes downloaded (data use).
    on_answer: Callable[[str, int], None] | None = None
    waits: list[Wait] = field(default_factory=list)
    sleep: Callable[[float], None] = time.sleep
    priority: int = BACKGROUND
    api: str = endpoints.ACCOUNTING  # which of Xero's APIs (endpoints.APIS) it calls

    # ------------------------------------------------------------ verbs

    def get(self, path: str, params: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.request("GET", path, params=params, **kwargs).json()

    def put(self, path: str, body: Any, **kwargs: Any) -> Any:
        return self.request("PUT", path, json_body=body, **kwargs).json()

    def post(self, path: str, body: Any, **kwargs: Any) -> Any:
        return self.request("POST", path, json_body=body, **kwargs).json()

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs).json()

    def get_later(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> Callable[[], Any]:
        """Start a GET in the background and return a function that finishes it.

        The governor's slot and the token are taken here, in the caller's thread; only the
        HTTP exchange runs in the background, so a caller can store one page while Xero sends
        the next. Anything but a clean answer is redone by `get`, with all its handling.
        """
        token = self.tokens.access_token()
        lease = self._acquire(time.monotonic() + self.max_wait)
        request_headers = {
            "Accept": "application/json",
            "xero-tenant-id": self.tenant_id,
            **(headers or {}),
            "Authorization": f"Bearer {token}",
        }
        future = _background().submit(
            self.session.request,
            "GET",
            endpoints.api_url(path),
            params=with_unitdp(path, params),
            headers=request_headers,
            timeout=self.timeout,
        )

        def finish() -> Any:
            try:
                answer = future.result()
            except requests.RequestException:
                self._release(lease, None)
                return self.get(path, params, headers=headers)
            self._release(lease, answer.headers)
            if answer.status_code >= 400:
                return self.get(path, params, headers=headers)
            return XeroResponse(answer.status_code, answer.headers, answer.content).json()

        return finish

    def paged(
        self, path: str, key: str, params: Mapping[str, Any] | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Every page of a paged list (`pageSize=1000`), one list of records at a time."""
        page = 1
        while True:
            body = self.get(path, {**(params or {}), "page": page, "pageSize": PAGE_SIZE}) or {}
            records = body.get(key) or []
            yield records
            pagination = body.get("pagination") or {}
            last = pagination.get("pageCount")
            if len(records) < PAGE_SIZE or (isinstance(last, int) and page >= last):
                return
            page += 1

    # ------------------------------------------------------------ the call

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, str]] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        answer_errors: bool = False,
    ) -> XeroResponse:
        """One API call, retried and waited as needed; raises a XeroError subclass on failure.

        With `answer_errors`, Xero's 4xx answers are returned instead of raised (the raw request
        console shows them as they are); waits, renewals and retries still apply.
        """
        try:
            return self._request(
                method.upper(),
                path,
                params,
                json_body,
                content,
                headers,
                idempotency_key,
                answer_errors,
            )
        except XeroError as error:
            if self.on_error is not None:
                self.on_error(error)
            raise

    def _request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | list[tuple[str, str]] | None,
        json_body: Any,
        content: bytes | None,
        extra_headers: Mapping[str, str] | None,
        idempotency_key: str | None,
        answer_errors: bool = False,
    ) -> XeroResponse:
        url = endpoints.api_url(path, self.api)
        if not answer_errors and self.api == endpoints.ACCOUNTING:
            params = with_unitdp(path, params)
        headers = {"Accept": "application/json", "xero-tenant-id": self.tenant_id}
        if method in WRITE_METHODS:
            # The same key on every retry, so Xero applies the write once.
            headers["Idempotency-Key"] = idempotency_key or uuid.uuid4().hex
        if json_body is not None:
            content = exactjson.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        headers.update(extra_headers or {})
        failures = 0
        renewed = False
        token = self.tokens.access_token()
        deadline = time.monotonic() + self.max_wait
        while True:
            lease = self._acquire(deadline)
            try:
                started = time.perf_counter()
                answer = self.session.request(
                    method,
                    url,
                    params=params,
                    data=content,
                    headers={**headers, "Authorization": f"Bearer {token}"},
                    timeout=self.timeout,
                )
            except requests.RequestException as error:
                self._release(lease, None)
                failures += 1
                if failures > self.retries:
                    raise XeroUnavailable(
                        "Xero did not answer (network error); please try again shortly."
                    ) from error
                self.sleep(_backoff(failures))
                continue
            self._release(lease, answer.headers)
            if self.on_answer is not None:
                self.on_answer(path, len(answer.content))
            response = XeroResponse(
                answer.status_code,
                answer.headers,
                answer.content,
                (time.perf_counter() - started) * 1000,
            )
            status = response.status
            if status < 400:
                return response
            body = _body(response)
            if status == 401 and "tokenexpired" in _detail(body).lower() and not renewed:
                token, renewed = self.tokens.access_token(force=True), True
                continue
            problem = _rate_problem(response, body)
            if problem:
                wait = _retry_after(response.headers, default=60.0 if problem == "day" else 5.0)
                self.waits.append(Wait(wait, problem))
                if self.on_wait is not None:
                    self.on_wait(self.waits[-1])
                logger.info("Xero asked to wait %.0f s (%s limit) for %s", wait, problem, path)
                if self.governor is not None:
                    self.governor.block(self.app, self.tenant_id, wait, problem)
                if time.monotonic() + wait > deadline:
                    raise XeroRateLimited(problem, wait)
                if self.governor is None:
                    self.sleep(wait)
                continue
            if status >= 500 and status != 501:
                failures += 1
                if failures > self.retries:
                    raise XeroUnavailable(
                        f"Xero is unavailable (HTTP {status}); please try again shortly.",
                        status=status,
                    )
                self.sleep(max(_backoff(failures), _retry_after(response.headers, default=0)))
                continue
            if answer_errors and status < 500:
                return response
            raise _error_for(status, body)

    def _acquire(self, deadline: float) -> str:
        if self.governor is None:
            return ""
        started = time.monotonic()
        try:
            return self.governor.acquire(
                self.app,
                self.tenant_id,
                max_wait=max(deadline - started, 0),
                priority=self.priority,
            )
        finally:
            box = _HELD.get()
            if box is not None:
                box[0] += time.monotonic() - started

    def _release(self, lease: str, headers: Mapping[str, str] | None) -> None:
        if self.governor is not None and lease:
            self.governor.release(self.app, self.tenant_id, lease, headers)


def with_unitdp(
    path: str, params: Mapping[str, Any] | list[tuple[str, str]] | None
) -> Mapping[str, Any] | list[tuple[str, str]] | None:
    """`params` with `unitdp=4` when `path` is one of UNITDP_RESOURCES or one of its records
    (not their History, Attachments and the like), unless it already says."""
    segments = path.strip("/").partition("?")[0].split("/")
    if len(segments) > 2 or segments[0].lower() not in UNITDP_RESOURCES:
        return params
    pairs = list(params.items()) if isinstance(params, Mapping) else list(params or [])
    if any(str(name).lower() == "unitdp" for name, _ in pairs):
        return params
    return [*pairs, ("unitdp", "4")]


def _session() -> requests.Session:
    """A session that reads the environment's proxy and CA settings once, not on every call:
    requests otherwise walks every environment variable per request (about 0.3 ms, a large
    part of a small call's cost: bench/xero_client.py)."""
    session = requests.Session()
    session.trust_env = False
    session.proxies = _environment_proxies(endpoints.api_url(""))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    return session


@functools.lru_cache(maxsize=8)
def _environment_proxies(url: str) -> dict[str, str]:
    return dict(requests.utils.get_environ_proxies(url))


@functools.cache
def _background() -> ThreadPoolExecutor:
    # Threads that only wait on HTTP; they never touch the database.
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="xero-http")


def _backoff(failures: int) -> float:
    """Exponential backoff with jitter: about 0.5 s, 1 s, 2 s ... at most 8 s."""
    return min(8.0, 0.25 * 2**failures) * random.uniform(0.5, 1.0)


def _retry_after(headers: Mapping[str, str], *, default: float) -> float:
    raw = headers.get("Retry-After")
    try:
        return max(float(raw), 0.0) if raw is not None else default
    except ValueError:
        return default


def _body(response: XeroResponse) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except (ValueError, RecursionError):
        return response.content.decode(errors="replace")


def _detail(body: Any) -> str:
    if isinstance(body, dict):
        problem = body.get("problem")  # the payroll 2.0 APIs' answers carry it inside
        if isinstance(problem, dict):
            body = {"Detail": problem.get("detail"), "Title": problem.get("title")}
        return str(body.get("Detail") or body.get("Message") or body.get("Title") or "")
    return str(body or "")


def _rate_problem(response: XeroResponse, body: Any) -> str:
    """The limit a 429 (or Xero's old-style 503) names, or "" when it is not about limits."""
    named = response.headers.get("X-Rate-Limit-Problem", "")
    if response.status == 429:
        return (named or "minute").lower()
    if response.status == 503 and "rate limit" in str(body).lower():
        return (named or "minute").lower()
    return ""


def _error_for(status: int, body: Any) -> XeroError:
    detail = _detail(body)
    if status == 400:
        return XeroValidationError.from_body(body)
    if status == 401:
        if "tokenexpired" in detail.lower():
            return XeroTokenExpired("The connection's access token expired and was not renewed.")
        if "authorizationunsuccessful" in detail.lower():
            return XeroForbidden(
                "This connection has not been granted the permission (scope) this needs.",
                status=401,
            )
        return XeroConnectionRevoked(
            "Xero no longer accepts this connection: it needs reconnecting.", status=401
        )
    if status == 403:
        if "authenticationunsuccessful" in detail.lower():
            return XeroConnectionRevoked(
                "Xero refused access to this organisation: it may have been disconnected in Xero.",
                status=403,
            )
        return XeroForbidden(f"Xero does not allow this: {detail or 'forbidden'}.")
    if status == 404:
        return XeroNotFound(detail or "Xero has no such record.")
    return XeroError(
        f"Xero refused the request (HTTP {status}): {detail}".rstrip(": "), status=status
    )


def raise_for_answer(answer: requests.Response) -> None:
    """Raise the typed error for a failed identity-API answer (`/connections`)."""
    if answer.status_code < 400:
        return
    response = XeroResponse(answer.status_code, answer.headers, answer.content)
    if answer.status_code >= 500:
        raise XeroUnavailable(f"Xero is unavailable (HTTP {answer.status_code}).")
    raise _error_for(answer.status_code, _body(response))
