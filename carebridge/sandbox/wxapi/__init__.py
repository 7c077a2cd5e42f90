"""The sandbox's stand-in for WeChat's API server (api.weixin.qq.com), mounted at /sandbox/wx/.

It speaks WeChat's wire formats: JSON in, JSON out, ``{"errcode": …, "errmsg": "… rid: …"}`` on
refusal, HTTP 200 either way. Its clock is ``timezone.now()`` and its state is in the sandbox's
tables, so tests move time by editing rows (a token's ``expires_at``) or patching ``now``.
Tests inject WeChat's transient failures with ``inject_error`` (e.g. -1, system busy).

One module per area: tokens, menu, qrcode, messages, users; this one holds the plumbing.
"""

import json
import logging
import re
import secrets
import threading
import time
from functools import wraps

from django.db import IntegrityError, connections, transaction
from django.db.models import F
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from ..guard import sandbox_only
from ..models import SandboxCounter, SandboxToken

log = logging.getLogger("carebridge.sandbox")

TOKEN_SHAPE = re.compile(r"^[0-9A-Za-z_\-]{20,512}$")
# Seconds a path (suffix) takes to answer: tests widen race windows with it.
SLOW_PATHS: dict[str, float] = {}
# Seconds between WeChat's answer and its job-finish report (WeChat's take seconds too).
REPORT_DELAY = 0.3
_reports: list[threading.Thread] = []


class ApiError(Exception):
    """A refusal, answered as WeChat answers it (``extra`` fields go into the JSON too)."""

    def __init__(self, errcode: int, errmsg: str, **extra):
        super().__init__(errcode, errmsg)
        self.errcode, self.errmsg, self.extra = errcode, errmsg, extra

    def response(self) -> JsonResponse:
        rid = f"{secrets.token_hex(4)}-{secrets.token_hex(4)}-{secrets.token_hex(4)}"
        return answer(
            {"errcode": self.errcode, "errmsg": f"{self.errmsg} rid: {rid}", **self.extra}
        )


ERRMSG = {
    -1: "system error",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit mustslower retry next minute",
}


def answer(data: dict) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def ok(**fields) -> JsonResponse:
    return answer({"errcode": 0, "errmsg": fields.pop("errmsg", "ok"), **fields})


def today() -> str:
    return timezone.localdate().isoformat()  # WeChat's day is China's day


def bump(app_id: str, name: str, period: str, limit: int | None = None) -> bool:
    """Count one call against ``name`` in ``period``; False (nothing counted) past ``limit``.

    The conditional update also serialises concurrent callers of one counter until their
    transaction commits (a row lock on PostgreSQL, the write lock on SQLite).
    """
    name = name[:64]
    with transaction.atomic():
        try:
            with transaction.atomic():
                row, _ = SandboxCounter.objects.get_or_create(
                    app_id=app_id, name=name, period=period
                )
        except IntegrityError:
            row = SandboxCounter.objects.get(app_id=app_id, name=name, period=period)
        rows = SandboxCounter.objects.filter(pk=row.pk)
        if limit is not None:
            rows = rows.filter(count__lt=limit)
        return rows.update(count=F("count") + 1) == 1


def unbump(app_id: str, name: str, period: str) -> None:
    SandboxCounter.objects.filter(app_id=app_id, name=name[:64], period=period, count__gt=0).update(
        count=F("count") - 1
    )


def count(app_id: str, name: str, period: str | None = None) -> int:
    """How many calls ``name`` counted (today unless ``period``): for tests and the demo."""
    row = SandboxCounter.objects.filter(app_id=app_id, name=name, period=period or today()).first()
    return row.count if row else 0


def inject_error(app_id: str, errcode: int, times: int = 1, path: str = "") -> None:
    """Make the next ``times`` calls of ``app_id`` (to paths ending in ``path``, or any) fail
    with ``errcode`` — WeChat's -1 (busy), 45009 (quota) and the like, on demand."""
    SandboxCounter.objects.update_or_create(
        app_id=app_id,
        name=f"inject:{errcode}:{path}"[:64],
        period="inject",
        defaults={"count": times},
    )


def _injected(app_id: str, path: str) -> None:
    for row in SandboxCounter.objects.filter(app_id=app_id, period="inject", count__gt=0):
        _, code, suffix = row.name.split(":", 2)
        if suffix and not path.endswith(suffix):
            continue
        if SandboxCounter.objects.filter(pk=row.pk, count__gt=0).update(count=F("count") - 1):
            raise ApiError(int(code), ERRMSG.get(int(code), "injected error"))


def token_app_id(request) -> str:
    """The AppID whose access token the call carries, or WeChat's refusal."""
    value = request.GET.get("access_token", "")
    if not value:
        raise ApiError(41001, "access_token missing")
    if not TOKEN_SHAPE.match(value):
        raise ApiError(40014, "invalid access_token")
    row = SandboxToken.objects.filter(value=value, kind__in=("access", "stable")).first()
    if row is None:
        raise ApiError(40001, "invalid credential, access_token is invalid or not latest")
    if row.expires_at <= timezone.now():
        raise ApiError(42001, "access_token expired")
    return row.app_id


def _body(request) -> dict:
    if not request.body:
        raise ApiError(44002, "empty post data")
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(47001, "data format error") from exc
    if not isinstance(data, dict):
        raise ApiError(47001, "data format error")
    return data


def api(method: str = "GET", token: bool = True, upload: bool = False):
    """A WeChat API view: ``view(request, app_id, body)``; app_id is None when ``token`` is
    False (the token endpoints find it in their parameters and call ``check_injected``). An
    ``upload`` takes multipart/form-data (the file in ``request.FILES``), not JSON."""

    def decorate(view):
        @wraps(view)
        def wrapper(request):
            delay = next((s for p, s in SLOW_PATHS.items() if request.path.endswith(p)), 0)
            if delay:
                time.sleep(delay)
            try:
                if request.method != method:
                    raise ApiError(
                        *(
                            (43001, "require GET method")
                            if method == "GET"
                            else (43002, "require POST method")
                        )
                    )
                body = _body(request) if method == "POST" and not upload else {}
                app_id = None
                if token:
                    app_id = token_app_id(request)
                    _injected(app_id, request.path)
                return view(request, app_id, body)
            except ApiError as exc:
                return exc.response()

        return sandbox_only(csrf_exempt(wrapper))

    return decorate


def check_injected(app_id: str, request) -> None:
    _injected(app_id, request.path)


def report_later(slug: str, message: dict) -> None:
    """Deliver a job-finish event to the account's callback once this transaction commits,
    from a short-lived thread, after the API call has answered (as WeChat does). The callback
    address is the one configured when the job was accepted, as at WeChat."""
    from ..sender import DeliveryFailed, callback_url, deliver

    url = callback_url(slug)

    def run():
        time.sleep(REPORT_DELAY)
        try:
            deliver(slug, message, url)
        except DeliveryFailed as exc:
            log.warning("job report to %s not delivered: %s", slug, exc)
        except Exception:  # a report thread must never take the server down
            log.exception("job report to %s failed", slug)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=run, name=f"sandbox-report-{slug}", daemon=True)
    _reports.append(thread)
    transaction.on_commit(thread.start)


def wait_for_reports(timeout: float = 10.0) -> None:
    """Block until the job reports sent so far were delivered (tests; the demo never needs it)."""
    deadline = time.monotonic() + timeout
    while _reports:
        thread = _reports.pop(0)
        if thread.is_alive() or thread.ident is not None:
            thread.join(max(deadline - time.monotonic(), 0))
