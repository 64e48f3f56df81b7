"""The clinician web app: ``create_app()`` builds a FastAPI app over one clinical record.

``notewell serve`` runs it with uvicorn's factory mode (``notewell.web.app:create_app``), so each
worker process opens its own database engine and builds the note engine once, then reuses it
for every draft. Pages are server-rendered Jinja2 (autoescaped: a ``<script>`` a client said is
shown as text); a little plain JavaScript in ``static/app.js`` adds the live parts (nudges as
you type, scores as you fill a form, evidence highlighting). The JSON API lives under ``/api``
with its OpenAPI document at ``/api/openapi.json``.

Security, in one place (see :mod:`notewell.web.security` for sessions):

* every request but the static files and the login/setup pages needs a logged-in session;
  an anonymous page request is redirected to ``/login``, an anonymous API call gets 401;
* every state-changing request (POST/PUT/PATCH/DELETE) carries the session's CSRF token, as the
  ``csrf_token`` form field or the ``X-CSRF-Token`` header, else 403. The one exception is
  ``POST /api/login``, which has no session yet and accepts only ``application/json`` (a
  cross-site form cannot send that without a CORS preflight, which this app never grants);
* role checks happen twice: the page or endpoint states which roles may use it (403 for the
  others), and the record service checks the role and the care team again on every call;
* responses carry a CSP without inline script, ``nosniff``, frame denial and no referrer.

Settings (environment): ``NOTEWELL_DATA_DIR`` / ``NOTEWELL_DATABASE_URL`` (the record),
``NOTEWELL_IDLE_MINUTES`` (idle timeout, default 15), ``NOTEWELL_SECURE_COOKIES`` (``1`` behind
HTTPS: the cookie gets ``Secure``), ``NOTEWELL_LOGIN_ATTEMPTS`` (failures before a 15-minute
lockout, default 5).
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Form, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from notewell.bootstrap import App, Record, open_record
from notewell.config import Settings
from notewell.domain.records import Actor, User
from notewell.domain.session import Session
from notewell.errors import (
    AccessDenied,
    ConfigurationError,
    ConflictError,
    ConsentRequired,
    InputError,
    InvalidTransition,
    NotewellError,
    RecordLocked,
    RecordNotFound,
)
from notewell.web.security import (
    SESSION_COOKIE,
    LoginThrottle,
    SessionCodec,
    TotpStore,
    WebSession,
    csrf_ok,
    derive_key,
)

HERE = FilePath(__file__).parent
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_EXEMPT = frozenset({("POST", "/api/login")})
"""State-changing routes without a CSRF token: the JSON login (no session exists yet)."""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",  # pages carry PHI: never keep them in a shared cache
}
MAX_ID = 2_147_483_647
"""Ids beyond a 32-bit integer name nothing in the record (and overflow SQLite's driver)."""
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Version = Annotated[int, Form(ge=1, le=MAX_ID)]
ALL_ROLES = frozenset({"clinician", "supervisor", "biller", "admin"})
CLINICAL = frozenset({"clinician", "supervisor"})


@dataclass(frozen=True)
class WebConfig:
    """The web app's own settings (the record's come from :class:`~notewell.config.Settings`)."""

    idle_minutes: float = 15.0
    secure_cookies: bool = False
    login_attempts: int = 5
    lockout_minutes: float = 15.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WebConfig:
        env = os.environ if environ is None else environ
        return cls(
            idle_minutes=_positive(env, "NOTEWELL_IDLE_MINUTES", 15.0),
            secure_cookies=env.get("NOTEWELL_SECURE_COOKIES", "").strip().lower() in ("1", "true", "yes"),
            login_attempts=int(_positive(env, "NOTEWELL_LOGIN_ATTEMPTS", 5)),
        )


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name}: expected a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigurationError(f"{name}: must be above 0, got {raw!r}")
    return value


@dataclass
class Web:
    """What every request handler reaches through ``request.app.state.web``."""

    record: Record
    config: WebConfig
    codec: SessionCodec
    throttle: LoginThrottle
    totp: TotpStore
    templates: Jinja2Templates

    @property
    def engine(self) -> App:
        """The note engine (knowledge, extractor, composer, reviewer), built once per process."""
        return self.record.drafter.app


@dataclass(frozen=True)
class Viewer:
    """The logged-in person making this request."""

    user: User
    session: WebSession

    @property
    def actor(self) -> Actor:
        return Actor(self.user.id, self.user.username, channel="web")

    @property
    def role(self) -> str:
        return self.user.role


class NotLoggedIn(Exception):
    """No valid session: pages redirect to the login page, the API answers 401."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("not logged in")
        self.expired = expired


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


def session_of(request: Request) -> WebSession:
    session: WebSession = request.state.session
    return session


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def viewer(request: Request) -> Viewer:
    """Dependency: the logged-in user (looked up again: a disabled account is out at once)."""
    session = session_of(request)
    if not session.authenticated or session.user_id is None:
        raise NotLoggedIn(expired=bool(getattr(request.state, "expired", False)))
    try:
        user = web_of(request).record.service.current_user(Actor(session.user_id, session.username))
    except AccessDenied:
        request.state.session = WebSession.anonymous(time.time())
        raise NotLoggedIn() from None
    return Viewer(user, session)


def require(*roles: str) -> Callable[..., Awaitable[Viewer]]:
    """Dependency factory: the viewer, if their role is one of ``roles`` (else 403)."""
    allowed = frozenset(roles)

    async def check(who: Annotated[Viewer, Depends(viewer)]) -> Viewer:
        if who.role not in allowed:
            raise AccessDenied(f"this page is for the {', '.join(sorted(allowed))} role")
        return who

    return check


Clinical = Annotated[Viewer, Depends(require(*CLINICAL))]
"""A clinician (trainee or not) or a supervisor."""
Anyone = Annotated[Viewer, Depends(require(*ALL_ROLES))]
Supervisor = Annotated[Viewer, Depends(require("supervisor"))]
Admin = Annotated[Viewer, Depends(require("admin"))]
Biller = Annotated[Viewer, Depends(require("biller"))]


async def csrf_guard(request: Request) -> None:
    """Router-wide dependency: a state-changing request must carry the session's CSRF token."""
    if request.method not in UNSAFE_METHODS:
        return
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    if (request.method, path) in CSRF_EXEMPT:
        return
    given = request.headers.get("x-csrf-token")
    if not given:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token")
            given = value if isinstance(value, str) else None
    if not csrf_ok(session_of(request), given):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")


class SessionMiddleware:
    """Load the signed session cookie, add the security headers, re-issue the cookie (sliding idle).

    A plain ASGI middleware that edits the response's headers as they go out: wrapping the
    response body (as Starlette's ``BaseHTTPMiddleware`` does) splits headers and body into
    separate writes, which costs a 40 ms delayed-ACK stall per request on loopback.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        web: Web = scope["app"].state.web
        session, problem = web.codec.load(Request(scope).cookies.get(SESSION_COOKIE))
        now = web.codec.clock()
        state = scope.setdefault("state", {})
        state["expired"] = problem == "expired"
        state["session"] = session or WebSession.anonymous(now)
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers and not (static and name == "Cache-Control"):
                        headers[name] = value
                if web.config.secure_cookies:  # served over HTTPS (behind a TLS proxy): keep it so
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
                if not static:
                    current: WebSession = state["session"]
                    current.last_seen = now
                    headers.append("set-cookie", _cookie(web, current))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _cookie(web: Web, session: WebSession) -> str:
    """The ``Set-Cookie`` value: HttpOnly, SameSite=Strict, Secure behind HTTPS."""
    holder = Response()
    holder.set_cookie(
        SESSION_COOKIE,
        web.codec.dump(session),
        httponly=True,
        samesite="strict",
        secure=web.config.secure_cookies,
        path="/",
    )
    return holder.headers["set-cookie"]


STATUS_OF: tuple[tuple[type[Exception], int], ...] = (
    (AccessDenied, 403),
    (RecordNotFound, 404),
    (ConflictError, 409),
    (RecordLocked, 409),
    (InvalidTransition, 409),
    (ConsentRequired, 409),
    (InputError, 400),
)


def status_of(exc: Exception) -> int:
    for kind, status in STATUS_OF:
        if isinstance(exc, kind):
            return status
    return 500


def error_response(request: Request, status: int, message: str) -> Response:
    if is_api(request):
        return JSONResponse({"error": message}, status_code=status)
    web = web_of(request)
    return web.templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message, **page_context(request)},
        status_code=status,
    )


def page_context(request: Request, who: Viewer | None = None) -> dict[str, Any]:
    """What every template gets: the viewer (if any) and the CSRF token for its forms."""
    session = session_of(request)
    return {"viewer": who, "csrf_token": session.csrf, "path": request.url.path}


def create_app(
    settings: Settings | None = None,
    *,
    record: Record | None = None,
    config: WebConfig | None = None,
    clock: Callable[[], float] = time.time,
) -> FastAPI:
    """The web app over the record configured by ``settings`` (default: from the environment).

    ``record`` lets tests hand in a record wired with fakes; ``clock`` moves the session clock
    in idle-timeout tests.
    """
    from notewell.web import routes_api, routes_pages

    owned = record is None  # opened here: warmed up at startup and closed at shutdown
    record = record or open_record(settings or Settings.from_env())
    config = config or WebConfig.from_env()
    master = record.database.keyring_master
    web = Web(
        record=record,
        config=config,
        codec=SessionCodec(derive_key(master, "web-session"), config.idle_minutes * 60, clock),
        throttle=LoginThrottle(
            max_failures=config.login_attempts,
            lockout=config.lockout_minutes * 60,
            clock=clock,
            path=record.settings.data_dir / "web-logins.json",
        ),
        totp=TotpStore(record.settings.data_dir / "web-totp.json", master),
        templates=Jinja2Templates(directory=str(HERE / "templates")),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if owned:  # build the engine (spaCy, lexicons) before the first request, not during it
            engine = record.drafter.app
            with record.drafter.lock:
                engine.extractor.extract(Session(source="warm-up", text="Warm-up."))
        yield
        if owned:
            record.close()

    app = FastAPI(
        title="Notewell",
        lifespan=lifespan,
        summary="Therapy progress notes with evidence: the clinician's JSON API",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI needs inline script and a CDN: not under this CSP
        redoc_url=None,
    )
    app.state.web = web
    app.add_middleware(SessionMiddleware)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(routes_pages.router, dependencies=[Depends(csrf_guard)])
    app.include_router(routes_api.router, dependencies=[Depends(csrf_guard)])

    @app.exception_handler(NotLoggedIn)
    async def _not_logged_in(request: Request, exc: NotLoggedIn) -> Response:
        if is_api(request):
            return JSONResponse({"error": "log in first (POST /api/login)"}, status_code=401)
        target = "/login?next=" + quote(request.url.path, safe="/")
        if exc.expired:
            target += "&expired=1"
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(NotewellError)
    async def _notewell_error(request: Request, exc: NotewellError) -> Response:
        status = status_of(exc)
        message = str(exc) if status < 500 else "the record could not complete this request"
        return error_response(request, status, message)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        return error_response(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
            problems.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
        return error_response(request, 422, "; ".join(problems))

    return app
