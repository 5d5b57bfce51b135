"""The sandbox as one WSGI application: every Xero host on one origin, plus `/_sandbox/` control."""

from __future__ import annotations

import gc
import hashlib
import html
import logging
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote, unquote

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from xeroadmin.sandbox import api, identity, payroll, serialize, xmlbody
from xeroadmin.sandbox.api import contacts, credit_notes, invoices, payments
from xeroadmin.sandbox.api.users import render as users_render
from xeroadmin.sandbox.api.users import user_change
from xeroadmin.sandbox.core import (
    PLAIN_TEXT,
    XeroError,
    dumps,
    loads,
    problem,
    validation_error,
)
from xeroadmin.sandbox.limits import Limits
from xeroadmin.sandbox.plant import CannotPlant, spread
from xeroadmin.sandbox.seed import seed
from xeroadmin.sandbox.state import App, State
from xeroadmin.sandbox.webhooks import Webhooks

logger = logging.getLogger(__name__)

API_PREFIX = "/api.xro/2.0/"
IDEMPOTENCY_TTL = 6 * 60
MAX_BODY = 11 * 1024 * 1024

DEFAULT_CLIENT_ID = "sandbox-web-client"
DEFAULT_CLIENT_SECRET = "sandbox-web-secret"  # noqa: S105 - a published sandbox default, not a secret
DEFAULT_CUSTOM_ID = "sandbox-custom-client"
DEFAULT_CUSTOM_SECRET = "sandbox-custom-secret"  # noqa: S105
DEFAULT_WEBHOOK_KEY = "sandbox-webhook-key"


@dataclass
class Config:
    seed: int = 42
    orgs: int = 3
    invoices_per_org: int = 200
    contacts_per_org: int = 50
    bank_transactions_per_org: int = 10
    rate_limits: bool = True
    # Calls a day per app and organisation (Xero's Starter plan: 1,000).
    daily_limit: int = 5000
    # Whether the default web app has Xero's Bulk Connections (several organisations ticked
    # in one consent); most apps do not, and pick one organisation per consent.
    bulk_connections: bool = False
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    custom_client_id: str = DEFAULT_CUSTOM_ID
    custom_client_secret: str = DEFAULT_CUSTOM_SECRET
    webhook_url: str = ""
    webhook_key: str = DEFAULT_WEBHOOK_KEY
    redirect_uris: list[str] = field(default_factory=list)
    # Tidy books (nothing to chase), then these problems planted (`plant.py`: kind → how
    # many) over the first `plant_over` organisations (0: all of them).
    tidy: bool = False
    plant: dict[str, int] = field(default_factory=dict)
    plant_over: int = 0


@dataclass
class Fault:
    status: int
    remaining: int
    path: str = "/"
    retry_after: int | None = None
    latency_ms: int = 0
    # The share of calls under `path` that fail (1: every one, until `remaining` have).
    rate: float = 1.0
    # Fail after doing the work: the call is applied and its answer lost on the way back (a
    # timeout at a proxy, say), as a client that retries without an Idempotency-Key finds out.
    after: bool = False


def _control_rng(seed: int) -> random.Random:
    """The random draws of control calls (plant, simulate): a stream of their own, since one
    that started where the seed's did would make the seeded records' ids again."""
    return random.Random(f"control-{seed}")


class Sandbox:
    """The application; call it as WSGI, or use its methods directly in tests."""

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self.state = State()
        self.limits = Limits(
            self.state.clock, enabled=self.config.rate_limits, daily=self.config.daily_limit
        )
        self.webhooks = Webhooks(self.state)
        self.faults: list[Fault] = []
        self._fault_rng = random.Random(self.config.seed)  # which calls a partial fault hits
        self.tokens: dict[str, int] = {}  # tokens issued since the last reset, by grant type
        # Writes each record took since the last reset (its changes, and notes added to its
        # history): how a client's retries show whether it wrote anything twice.
        self.writes: Counter[str] = Counter()
        # Calls an injected fault answered, by the organisation they named: instead of doing
        # the work, or after doing it (the answer lost).
        self.faulted: Counter[str] = Counter()
        self.lost: Counter[str] = Counter()
        self._idempotency: dict[tuple[str, str], tuple[str, float, api.Reply]] = {}
        self._timer: threading.Timer | None = None
        self._timer_every = 0.0
        self.rng = _control_rng(self.config.seed)
        self.reset()

    # ------------------------------------------------------------- set-up

    def reset(self) -> None:
        """Rebuild the world from the configuration: same seed, same books."""
        # Seeding makes millions of objects; the cyclic collector would keep walking them all
        # (slowing every later request), so pause it while seeding and then freeze them.
        gc.disable()
        try:
            with self.state.lock:
                self.state.clock.reset()
                self.state.world.grants.clear()
                self.state.world.connections.clear()
                self.state.world.access_tokens.clear()
                self.state.world.refresh_tokens.clear()
                self.state.world.codes.clear()
                seed(
                    self.state,
                    seed_value=self.config.seed,
                    orgs=self.config.orgs,
                    invoices_per_org=self.config.invoices_per_org,
                    contacts_per_org=self.config.contacts_per_org,
                    bank_transactions_per_org=self.config.bank_transactions_per_org,
                    tidy=self.config.tidy,
                )
                if self.config.plant:
                    orgs = list(self.state.orgs.values())[: self.config.plant_over or None]
                    now = self.state.clock.now().replace(microsecond=0) - timedelta(seconds=1)
                    spread(orgs, self.config.plant, random.Random(self.config.seed + 1), now)
                first = next(iter(self.state.orgs))
                c = self.config
                self.state.world.apps = {
                    c.client_id: App(
                        c.client_id,
                        c.client_secret,
                        "web",
                        "Sandbox web app",
                        redirect_uris=list(c.redirect_uris),
                        allow_loopback_redirects=True,
                        webhook_url=c.webhook_url,
                        webhook_key=c.webhook_key,
                        bulk_connections=c.bulk_connections,
                    ),
                    c.custom_client_id: App(
                        c.custom_client_id,
                        c.custom_client_secret,
                        "custom",
                        "Sandbox custom connection",
                        custom_tenant=first,
                    ),
                }
                self.faults.clear()
                self._fault_rng = random.Random(self.config.seed)
                self.tokens.clear()
                self.writes.clear()
                self.faulted.clear()
                self.lost.clear()
                self._idempotency.clear()
                self.rng = _control_rng(self.config.seed)
        finally:
            gc.enable()
            gc.freeze()
        self.limits.enabled = self.config.rate_limits
        self.limits.reset()
        self.webhooks.reset()

    # ------------------------------------------------------------- WSGI

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        request.max_content_length = MAX_BODY
        try:
            response = self.handle(request)
        except HTTPException as error:
            response = _json(
                error.code or 400,
                {"Title": error.name, "Status": error.code, "Detail": error.description},
            )
        except Exception:
            # Never a stack trace: a Xero-shaped 500 and the details in the log.
            logger.exception("Sandbox failed on %s %s", request.method, request.path)
            response = _json(
                500,
                {
                    "Title": "An error occurred",
                    "Status": 500,
                    "Detail": "Internal error in the Xero sandbox.",
                },
            )
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/_sandbox/"):
            return self.control(request)
        if path == "/":
            return self.index(request)
        fault = self._fault(path)
        if fault is not None:
            if not fault.status:
                # Latency only: the API sleeps while the call counts as in flight.
                request.environ["sandbox.latency"] = fault.latency_ms / 1000
            elif fault.latency_ms:
                time.sleep(fault.latency_ms / 1000)
            if fault.status:
                with self.state.lock:
                    counter = self.lost if fault.after else self.faulted
                    counter[request.headers.get("xero-tenant-id", "").lower()] += 1
                if fault.after:
                    self._route(request)  # done, and its answer never arrives
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
                return _json(
                    fault.status,
                    {
                        "Title": "Service Unavailable" if fault.status == 503 else "Error",
                        "Status": fault.status,
                        "Detail": "Injected fault",
                    },
                    headers,
                )
        return self._route(request)

    def _route(self, request: Request) -> Response:
        path = request.path
        if path.rstrip("/") == "/.well-known/openid-configuration":
            return _json(200, identity.discovery(request.host_url.rstrip("/")))
        if path.rstrip("/") == "/.well-known/openid-configuration/jwks":
            return _json(200, identity.jwks())
        if path.rstrip("/") == "/identity/connect/authorize":
            return self.authorize(request)
        if path == "/connect/token":
            return self.token(request)
        if path == "/connect/revocation":
            return self.revocation(request)
        if path.lower().startswith("/connections"):
            return self.connections(request)
        if path.startswith(API_PREFIX):
            return self.accounting(request)
        for version in ("1.0", "2.0"):
            if path.startswith(f"/payroll.xro/{version}/"):
                return self.payroll_api(request, version)
        return _json(
            404, {"Title": "Not Found", "Status": 404, "Detail": f"No Xero endpoint at {path}"}
        )

    def _fault(self, path: str) -> Fault | None:
        with self.state.lock:
            for fault in self.faults:
                if path.startswith(fault.path) and fault.remaining > 0:
                    if fault.rate < 1 and self._fault_rng.random() >= fault.rate:
                        continue  # this call is among those that go through
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    # ------------------------------------------------------------- identity

    def authorize(self, request: Request) -> Response:
        try:
            with self.state.lock:
                if request.method == "GET":
                    checked = identity.authorize_check(self.state, dict(request.args))
                    if isinstance(checked, str):
                        return _redirect(checked)
                    app, scopes = checked
                    return Response(
                        identity.consent_page(self.state, app, scopes, dict(request.args)),
                        content_type="text/html; charset=utf-8",
                    )
                if request.method == "POST":
                    form: dict[str, Any] = dict(request.form)
                    form["tenants"] = request.form.getlist("tenant")
                    return _redirect(identity.consent(self.state, form))
        except XeroError as error:
            return Response(
                error.body.get("html", ""),
                status=error.status,
                content_type="text/html; charset=utf-8",
            )
        return _json(405, {"error": "method_not_allowed"})

    def token(self, request: Request) -> Response:
        if request.method != "POST":
            return _json(405, {"error": "invalid_request"})
        try:
            with self.state.lock:
                body = identity.token(self.state, _headers(request), dict(request.form))
                grant_type = str(request.form.get("grant_type"))
                self.tokens[grant_type] = self.tokens.get(grant_type, 0) + 1
        except identity.OAuthError as error:
            payload = {"error": error.error}
            if error.description:
                payload["error_description"] = error.description
            return _json(error.status, payload)
        return _json(200, body, {"Cache-Control": "no-store"})

    def revocation(self, request: Request) -> Response:
        if request.method != "POST":
            return _json(405, {"error": "invalid_request"})
        try:
            with self.state.lock:
                identity.revoke(self.state, _headers(request), dict(request.form))
        except identity.OAuthError as error:
            return _json(error.status, {"error": error.error})
        return Response(b"", status=200)

    def connections(self, request: Request) -> Response:
        try:
            with self.state.lock:
                access = identity.bearer(self.state, _headers(request))
                parts = [p for p in request.path.split("/") if p]
                if request.method == "GET" and len(parts) == 1:
                    auth_event = next(
                        (v for k, v in request.args.items() if k.lower() == "autheventid"), None
                    )
                    return _json(200, identity.connections(self.state, access, auth_event))
                if request.method == "DELETE" and len(parts) == 2:
                    identity.disconnect(self.state, access, parts[1])
                    return Response(b"", status=204)
        except XeroError as error:
            return _json(error.status, error.body, error.headers)
        return _json(405, {"Title": "Method Not Allowed", "Status": 405, "Detail": "Not supported"})

    # ------------------------------------------------------------- payroll APIs

    def payroll_api(self, request: Request, version: str) -> Response:
        """Employees in Xero's payroll APIs (payroll.py): 1.0 for Australia, 2.0 for New
        Zealand, the UK and Australia's newer API."""
        headers = _headers(request)
        prefix = f"/payroll.xro/{version}/"
        segments = [unquote(s) for s in request.path[len(prefix) :].split("/") if s]
        try:
            with self.state.lock:
                access = identity.bearer(self.state, headers)
                tenant = identity.tenant_for(self.state, access, headers.get("xero-tenant-id"))
                allowed = payroll.READ_SCOPES if request.method == "GET" else payroll.WRITE_SCOPES
                if not set(access.scopes) & allowed:
                    raise problem(401, "Unauthorized", "AuthorizationUnsuccessful")
            limit_headers = self.limits.acquire(access.client_id, tenant, "payroll-employees")
        except XeroError as error:
            return _json(error.status, error.body, error.headers)
        try:
            body: Any = None
            if request.method in ("POST", "PUT") and request.get_data():
                try:
                    body = loads(request.get_data())
                except (ValueError, UnicodeDecodeError):
                    body = None
            with self.state.lock:
                call = payroll.PayrollCall(
                    self.state.orgs[tenant],
                    version,
                    request.method,
                    segments,
                    dict(request.args),
                    headers,
                    body,
                    self.state.clock.now(),
                )
                status, answer = call.answer()
            return _json(status, answer, limit_headers)
        except XeroError as error:
            return _json(error.status, error.body, {**limit_headers, **error.headers})
        finally:
            self.limits.release(access.client_id, tenant)

    # ------------------------------------------------------------- accounting API

    def accounting(self, request: Request) -> Response:
        headers = _headers(request)
        try:
            with self.state.lock:
                access = identity.bearer(self.state, headers)
                tenant = identity.tenant_for(self.state, access, headers.get("xero-tenant-id"))
                segments = _segments(request)
                resource = segments[0].lower() if segments else ""
                if api.knows(resource):
                    api.check_scope(resource, segments, request.method, set(access.scopes))
            limit_headers = self.limits.acquire(access.client_id, tenant, resource)
        except XeroError as error:
            return _json(error.status, error.body, error.headers)
        try:
            time.sleep(request.environ.get("sandbox.latency", 0))
            reply = self._api_call(request, headers, access, tenant, segments)
        except XeroError as error:
            reply = api.Reply(error.status, error.body, headers=error.headers)
        finally:
            self.limits.release(access.client_id, tenant)
        answers_xml = xmlbody.wants_xml(headers.get("accept", ""))
        if answers_xml and isinstance(reply.body, dict) and PLAIN_TEXT not in reply.body:
            return Response(
                xmlbody.dumps(reply.body, status=reply.status),
                status=reply.status,
                headers={**limit_headers, **reply.headers},
                content_type="text/xml; charset=utf-8",
            )
        return _reply(reply, limit_headers)

    def _api_call(
        self,
        request: Request,
        headers: dict[str, str],
        access: Any,
        tenant: str,
        segments: list[str],
    ) -> api.Reply:
        body = request.get_data(cache=True)
        key = headers.get("idempotency-key")
        fingerprint = ""
        if key is not None and request.method in ("PUT", "POST", "PATCH"):
            if not 1 <= len(key) <= 128:
                raise validation_error(["Idempotency-Key must be between 1 and 128 characters."])
            fingerprint = hashlib.sha256(
                request.method.encode() + request.full_path.encode() + tenant.encode() + body
            ).hexdigest()
            with self.state.lock:
                cached = self._idempotency.get((access.client_id, key))
                if cached and cached[1] > self.state.clock.time():
                    if cached[0] != fingerprint:
                        raise validation_error(
                            [f"Idempotency-Key {key} is used with a different request."]
                        )
                    return cached[2]
        call = api.Call(
            org=self.state.orgs[tenant],
            method=request.method,
            segments=segments,
            args=dict(request.args),
            headers=headers,
            body=body,
            client_id=access.client_id,
            app_name=self.state.apps[access.client_id].name
            if access.client_id in self.state.apps
            else "Xero API",
            now=self.state.clock.now(),
            base_url=request.host_url.rstrip("/"),
        )
        is_json = request.mimetype in ("application/json", "") and not (
            len(segments) > 2 and segments[2].lower() == "attachments"
        )
        if request.method in ("PUT", "POST") and is_json and body:
            try:
                call.json_body = loads(body)
            except (ValueError, UnicodeDecodeError):
                raise validation_error(["The request body is not valid JSON."]) from None
        elif request.method in ("PUT", "POST") and xmlbody.is_xml(request.mimetype) and body:
            try:
                call.json_body = xmlbody.loads(body)
            except ValueError as error:
                raise validation_error([str(error)]) from None
        with self.state.lock:
            try:
                reply = api.dispatch(call)
            except XeroError as error:
                if fingerprint:
                    # Xero caches error answers under the key too.
                    self._idempotency[(access.client_id, key or "")] = (
                        fingerprint,
                        self.state.clock.time() + IDEMPOTENCY_TTL,
                        api.Reply(error.status, error.body, headers=error.headers),
                    )
                raise
            if fingerprint:
                self._idempotency[(access.client_id, key or "")] = (
                    fingerprint,
                    self.state.clock.time() + IDEMPOTENCY_TTL,
                    reply,
                )
            for category, event_type, resource_id in call.events:
                self.webhooks.record(tenant, category, event_type, resource_id, call.base_url)
            self._count_writes(call, reply)
        return reply

    def _count_writes(self, call: api.Call, reply: api.Reply) -> None:
        """Each record a successful call changed, once (a batch of 50 counts 50); a note added
        to a record's history counts for that record."""
        changed = {resource_id for _, _, resource_id in call.events}
        note = len(call.segments) == 3 and call.segments[2].lower() == "history"
        if note and call.method in ("PUT", "POST") and reply.status < 300:
            changed.add(call.segments[1].lower())
        self.writes.update(changed)

    # ------------------------------------------------------------- control API

    def control(self, request: Request) -> Response:
        parts = [p for p in request.path.split("/") if p][1:]
        try:
            payload = request.get_json(silent=True) if request.method in ("POST", "PUT") else None
        except Exception:
            payload = None
        payload = payload if isinstance(payload, dict) else {}
        name = parts[0] if parts else ""
        method = request.method
        try:
            if name == "online" and len(parts) == 3 and method == "GET":
                return self.online_invoice(parts[1], parts[2])
            if name == "reset" and method == "POST":
                self.reset()
                return _json(200, {"reset": True})
            if name == "state" and method == "GET":
                return _json(200, self.summary(request.host_url.rstrip("/")))
            if name == "identity" and method == "POST":
                fault = str(payload.get("idTokenFault") or "")
                if fault not in ("", "signature", "issuer", "audience", "expired"):
                    raise ValueError("idTokenFault must be signature, issuer, audience or expired")
                with self.state.lock:
                    self.state.world.id_token_fault = fault
                    # Who is signed in to Xero: its e-mail address and names, if given.
                    user = next(iter(self.state.world.users.values()))
                    if "email" in payload:
                        email = str(payload["email"] or "").strip()
                        if "@" not in email:
                            raise ValueError("email must be an e-mail address")
                        user.email = email
                    user.given_name = str(payload.get("givenName") or user.given_name)
                    user.family_name = str(payload.get("familyName") or user.family_name)
                return _json(200, {"idTokenFault": fault or None, "email": user.email})
            if name == "clock":
                if method == "POST":
                    self.state.clock.advance(float(payload.get("advance", 0)))
                return _json(200, {"now": self.state.clock.now().isoformat()})
            if name == "faults":
                if method == "DELETE":
                    self.faults.clear()
                elif method == "POST":
                    rate = float(payload.get("rate", 1))
                    if not 0 < rate <= 1:
                        raise ValueError("rate must be above 0 and at most 1")
                    self.faults.append(
                        Fault(
                            status=int(payload.get("status", 503)),
                            remaining=int(payload.get("count", 1)),
                            path=str(payload.get("path", "/")),
                            retry_after=payload.get("retryAfter"),
                            latency_ms=int(payload.get("latencyMs", 0)),
                            rate=rate,
                            after=bool(payload.get("after", False)),
                        )
                    )
                return _json(200, {"faults": [vars(f) for f in self.faults]})
            if name == "writes" and method == "GET":
                wanted = [i.lower() for i in request.args.get("ids", "").split(",") if i]
                with self.state.lock:
                    counts = {i: self.writes[i] for i in wanted} if wanted else dict(self.writes)
                    return _json(
                        200,
                        {
                            "records": counts,
                            "total": sum(self.writes.values()),
                            "most": max(self.writes.values(), default=0),
                        },
                    )
            if name == "stats" and method == "GET":
                stats = self.limits.stats.as_json()
                return _json(
                    200,
                    {
                        **stats,
                        "faultedByTenant": dict(self.faulted),
                        "lostByTenant": dict(self.lost),
                        "tokens": dict(self.tokens),
                    },
                )
            if name == "limits" and method == "POST":
                self.limits.enabled = bool(payload.get("enabled", True))
                if payload.get("reset"):
                    self.limits.reset()
                return _json(200, {"enabled": self.limits.enabled})
            if name == "disconnect" and method == "POST":
                return _json(
                    200, {"removed": self.disconnect_tenant(str(payload.get("tenantId", "")))}
                )
            if name == "apps" and method == "POST":
                return _json(201, self.register_app(payload))
            if name == "webhooks":
                return self.control_webhooks(request, parts[1:], payload)
            if name == "plant" and method == "POST":
                return self.plant_control(payload, request.host_url.rstrip("/"))
            if name == "payroll" and method == "POST":
                return _json(200, self.payroll_control(payload))
            if name == "users" and method == "POST":
                return _json(200, self.users_control(payload))
            if name == "simulate" and method == "POST":
                return _json(200, self.simulate_control(payload, request.host_url.rstrip("/")))
        except (TypeError, ValueError, KeyError) as error:
            return _json(400, {"error": "bad_request", "detail": str(error)})
        return _json(
            404,
            {
                "error": "not_found",
                "detail": f"No control endpoint {request.method} {request.path}",
            },
        )

    def payroll_control(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Give an organisation Xero Payroll, or take it away: `{"tenantId", "enabled"}`."""
        tenant = str(payload.get("tenantId") or "").lower()
        with self.state.lock:
            org = self.state.orgs.get(tenant)
            if org is None:
                raise KeyError("no such organisation")
            if payroll.region(org) is None and payload.get("enabled"):
                raise ValueError("Xero Payroll is for Australia, New Zealand and the UK")
            org.payroll = bool(payload.get("enabled"))
            return {"tenantId": org.id, "payroll": org.payroll}

    def users_control(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Add, change or remove one of an organisation's users: `{"tenantId", "action":
        "add"|"change"|"remove", "user": {...}}` (see `api/users.py`)."""
        with self.state.lock:
            org = self.state.orgs[str(payload.get("tenantId") or "").lower()]
            raw = payload.get("user")
            user: dict[str, Any] = raw if isinstance(raw, dict) else {}
            action = str(payload.get("action") or "")
            changed = user_change(org, action, user, self.state.clock.now())
            return {"user": users_render(changed)}

    def control_webhooks(
        self, request: Request, rest: list[str], payload: dict[str, Any]
    ) -> Response:
        client_id = str(
            payload.get("clientId") or request.args.get("clientId") or self.config.client_id
        )
        app = self.state.apps.get(client_id)
        if app is None:
            return _json(404, {"error": "unknown_app"})
        if rest == ["intent-to-receive"] and request.method == "POST":
            if not app.webhook_url:
                return _json(400, {"error": "no_webhook_url"})
            return _json(200, self.webhooks.intent_to_receive(app))
        if rest == ["flush"] and request.method == "POST":
            self.webhooks.flush_and_wait()
            return _json(200, self.webhooks.status())
        if not rest and request.method == "PUT":
            app.webhook_url = str(payload.get("url", ""))
            app.webhook_key = str(payload.get("key", app.webhook_key))
            return _json(200, {"clientId": app.client_id, "url": app.webhook_url})
        if not rest and request.method == "GET":
            return _json(200, self.webhooks.status())
        return _json(404, {"error": "not_found"})

    def register_app(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Register another Xero app (a workspace's own app, in the product's terms)."""
        kind = payload.get("kind", "web")
        if kind not in ("web", "pkce", "custom"):
            raise ValueError("kind must be web, pkce or custom")
        client_id = str(payload["clientId"])
        # A PKCE (native) app has no secret: the code verifier proves the client.
        secret = "" if kind == "pkce" else str(payload["clientSecret"])
        tenant = ""
        if kind == "custom":
            tenant = str(payload.get("tenantId") or next(iter(self.state.orgs)))
            if tenant not in self.state.orgs:
                raise ValueError("unknown tenantId")
        with self.state.lock:
            self.state.apps[client_id] = App(
                client_id,
                secret,
                kind,
                str(payload.get("name", client_id)),
                redirect_uris=list(payload.get("redirectUris", [])),
                allow_loopback_redirects=bool(payload.get("allowLoopbackRedirects", False)),
                webhook_url=str(payload.get("webhookUrl", "")),
                webhook_key=str(payload.get("webhookKey", "")),
                custom_tenant=tenant,
                bulk_connections=bool(payload.get("bulkConnections", False)),
            )
        return {"clientId": client_id, "kind": kind, "tenantId": tenant or None}

    def disconnect_tenant(self, tenant_id: str) -> int:
        """Disconnect an organisation from Xero's side (Settings → Connected apps)."""
        with self.state.lock:
            world = self.state.world
            before = len(world.connections)
            world.connections = {
                k: c for k, c in world.connections.items() if c.tenant_id != tenant_id.lower()
            }
            return before - len(world.connections)

    def summary(self, base: str) -> dict[str, Any]:
        with self.state.lock:
            return {
                "baseUrl": base,
                "now": self.state.clock.now().isoformat(),
                "rateLimits": self.limits.enabled,
                "organisations": [
                    {
                        "tenantId": o.id,
                        "name": o.name,
                        "country": o.country,
                        "currency": o.currency,
                        "invoices": len(o.invoices),
                        "contacts": len(o.contacts),
                    }
                    for o in self.state.orgs.values()
                ],
                "apps": [
                    {"clientId": a.client_id, "kind": a.kind, "webhookUrl": a.webhook_url or None}
                    for a in self.state.apps.values()
                ],
                "connections": len(self.state.world.connections),
            }

    # ------------------------------------------------------------- planted problems

    def plant_control(self, payload: dict[str, Any], base: str) -> Response:
        """Plant problems (`{"problems": {kind: count}, "tenantIds": [...]}`, all
        organisations when none are named); answers what was planted where."""
        problems = payload.get("problems")
        if not isinstance(problems, dict) or not problems:
            raise ValueError("problems must map each kind to how many to plant")
        counts = {str(kind): int(count) for kind, count in problems.items()}
        if any(count < 0 for count in counts.values()) or sum(counts.values()) > 1000:
            raise ValueError("plant from 0 to 1000 problems at a time")
        wanted = payload.get("tenantIds") or []
        with self.state.lock:
            orgs = [self.state.orgs.get(str(t).lower()) for t in wanted] or list(
                self.state.orgs.values()
            )
            if None in orgs:
                return _json(404, {"error": "unknown_tenant"})
            try:
                planted = spread([o for o in orgs if o], counts, self.rng, self.state.clock.now())
            except CannotPlant as error:
                return _json(409, {"error": "no_room", "detail": str(error)})
            now = self.state.clock.now()
            for item in planted:
                org = self.state.orgs[item["tenantId"]]
                for record in item["records"]:
                    # Xero tells of what was made, not of the contact a duplicate copies.
                    if record in org.invoices:
                        self.webhooks.record(org.id, "INVOICE", "CREATE", record, base)
                    elif org.contacts[record]["UpdatedDateUTC"] >= now - timedelta(seconds=1):
                        self.webhooks.record(org.id, "CONTACT", "CREATE", record, base)
        return _json(200, {"planted": planted})

    # ------------------------------------------------------------- simulated activity

    def simulate_control(self, payload: dict[str, Any], base: str) -> dict[str, Any]:
        every = payload.get("every")
        if every is not None:
            self._schedule(float(every), base)
            return {"every": self._timer_every}
        count = max(1, min(int(payload.get("count", 1)), 100))
        done = [
            self.simulate(payload.get("tenantId"), payload.get("action", "random"), base)
            for _ in range(count)
        ]
        return {"done": done}

    def _schedule(self, every: float, base: str) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_every = every
        if every <= 0:
            return

        def tick() -> None:
            try:
                self.simulate(None, "random", base)
            except Exception:
                logger.exception("Simulated activity failed")
            self._schedule(self._timer_every, base)

        self._timer = threading.Timer(every, tick)
        self._timer.daemon = True
        self._timer.start()

    def simulate(self, tenant_id: str | None, action: str, base: str) -> dict[str, Any]:
        """Someone edits in Xero: a new contact, an edited invoice or a payment."""
        with self.state.lock:
            orgs = list(self.state.orgs.values())
            org = self.state.orgs.get((tenant_id or "").lower()) or self.rng.choice(orgs)
            if action == "random":
                action = self.rng.choice(["contact", "invoice", "invoice", "payment", "creditnote"])
            call = api.Call(
                org=org,
                method="POST",
                segments=[],
                args={},
                headers={},
                body=b"",
                client_id="xero-web",
                app_name="Xero",
                now=self.state.clock.now(),
                base_url=base,
            )
            result: dict[str, Any] = {"tenantId": org.id, "action": action}
            if action == "contact":
                n = self.rng.randint(1000, 999999)
                contact = contacts.contact_apply(
                    call,
                    None,
                    {"Name": f"Walk-in Customer {n}", "EmailAddress": f"customer{n}@example.com"},
                )
                result["contactId"] = contact["ContactID"]
            elif action in ("invoice", "payment"):
                status = "AUTHORISED"
                candidates = [
                    i
                    for i in org.invoices.values()
                    if i["Status"] == status and i["Type"] == "ACCREC"
                ]
                if not candidates:
                    return result | {"skipped": "no authorised sales invoice"}
                invoice = self.rng.choice(candidates)
                if action == "invoice":
                    invoices.invoice_apply(
                        call,
                        invoice,
                        {"Reference": f"Updated in Xero {self.rng.randint(100, 999)}"},
                    )
                else:
                    bank = next(a for a in org.accounts.values() if a["Type"] == "BANK")
                    payments.payment_create(
                        call,
                        {
                            "Invoice": {"InvoiceID": invoice["InvoiceID"]},
                            "Account": {"AccountID": bank["AccountID"]},
                            "Amount": invoice["AmountDue"],
                        },
                    )
                result["invoiceId"] = invoice["InvoiceID"]
            elif action == "creditnote":
                customer = next(c for c in org.contacts.values() if c["ContactStatus"] == "ACTIVE")
                note = credit_notes.credit_note_apply(
                    call,
                    None,
                    {
                        "Type": "ACCRECCREDIT",
                        "Status": "AUTHORISED",
                        "Contact": {"ContactID": customer["ContactID"]},
                        "LineItems": [
                            {
                                "Description": "Goodwill credit",
                                "UnitAmount": 25,
                                "AccountCode": "200",
                            }
                        ],
                    },
                )
                result["creditNoteId"] = note["CreditNoteID"]
            else:
                raise ValueError("action must be contact, invoice, payment, creditnote or random")
            for category, event_type, resource_id in call.events:
                self.webhooks.record(org.id, category, event_type, resource_id, base)
            return result

    # ------------------------------------------------------------- pages

    def online_invoice(self, tenant_id: str, invoice_id: str) -> Response:
        with self.state.lock:
            org = self.state.orgs.get(tenant_id)
            invoice = org.invoices.get(invoice_id) if org else None
            if org is None or invoice is None:
                return Response("Not found", status=404)
            out = serialize.invoice(org, invoice)
        rows = "".join(
            f"<tr><td>{html.escape(str(line.get('Description', '')))}</td><td>{line['Quantity']}</td>"
            f"<td>{line['UnitAmount']:.2f}</td><td>{line['LineAmount']:.2f}</td></tr>"
            for line in out["LineItems"]
        )
        page = (
            f"<!doctype html><html lang='en'><meta charset='utf-8'><title>{html.escape(out['InvoiceNumber'])}</title>"
            f"<body style='font-family:system-ui;max-width:40rem;margin:2rem auto'><h1>{html.escape(org.name)}</h1>"
            f"<p>Invoice {html.escape(out['InvoiceNumber'])} for {html.escape(out['Contact']['Name'])}</p>"
            f"<table>{rows}</table><p>Total {out['Total']:.2f} {out['CurrencyCode']}"
            f" · Due {out['AmountDue']:.2f}</p></body></html>"
        )
        return Response(page, content_type="text/html; charset=utf-8")

    def index(self, request: Request) -> Response:
        base = request.host_url.rstrip("/")
        info = self.summary(base)
        lines = "".join(
            f"<li>{html.escape(o['name'])} — <code>{o['tenantId']}</code></li>"
            for o in info["organisations"]
        )
        page = (
            "<!doctype html><meta charset='utf-8'><title>Xero sandbox</title>"
            "<body style='font-family:system-ui;max-width:48rem;margin:2rem auto'>"
            f"<h1>Xero sandbox</h1><p>Login: <code>{base}/identity/connect/authorize</code><br>"
            f"Identity: <code>{base}/connect/token</code><br>API: <code>{base}/api.xro/2.0</code></p>"
            f"<h2>Organisations</h2><ul>{lines}</ul></body>"
        )
        return Response(page, content_type="text/html; charset=utf-8")


def _segments(request: Request) -> list[str]:
    """The API path's segments, each decoded once: a `%2F` inside an attachment's name stays
    in that one segment (werkzeug's `path` is decoded whole, which would split it)."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
    path = raw.partition("?")[0] if raw.startswith(API_PREFIX) else quote(request.path)
    return [unquote(s) for s in path[len(API_PREFIX) :].split("/") if s]


def _headers(request: Request) -> dict[str, str]:
    return {k.lower(): v for k, v in request.headers.items()}


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    if isinstance(body, dict) and PLAIN_TEXT in body:
        return Response(
            body[PLAIN_TEXT],
            status=status,
            headers=headers or {},
            content_type="text/plain; charset=utf-8",
        )
    return Response(
        dumps(body),
        status=status,
        headers=headers or {},
        content_type="application/json; charset=utf-8",
    )


def _redirect(url: str) -> Response:
    return Response(b"", status=302, headers={"Location": url})


def _reply(reply: api.Reply, headers: dict[str, str]) -> Response:
    all_headers = {**headers, **reply.headers}
    if reply.body is None:
        return Response(b"", status=reply.status, headers=all_headers)
    if isinstance(reply.body, bytes):
        return Response(
            reply.body, status=reply.status, headers=all_headers, content_type=reply.content_type
        )
    return _json(reply.status, reply.body, all_headers)
