"""Every patient page in a real browser, in both languages, standard and elder mode, at 320 and
390 px (issue 12). Playwright drives Debian's chromium (never a downloaded one) as a phone
(mobile emulation), one browser and one live server for the whole walk. On each page:

- axe-core (Deque's engine, shipped inside the axe-playwright-python wheel) runs in the page; a
  violation of impact serious or critical fails, contrast included;
- the rendered page is measured: no sideways scrolling and no text drawn over other text; every
  control at least 44 × 44 px (60 × 60 in elder mode, links inside running text excepted in the
  standard mode); in elder mode every text at least 18 pt (24 px);
- the standard pages again at 200 % text, as WeChat's font setting enlarges it (the body's
  -webkit-text-size-adjust, which WeChat for iOS sets and Chromium on a phone honours): still no
  sideways scrolling and no overlap;
- a screenshot goes to test-artifacts/a11y/ (ignored by git), with report.json beside it.

The pages come from the URL map: every view under /h5/<account>/ and /wechat/<account>/oauth/ (the
sign-in) must be listed in PAGES (how to open it) or NOT_PAGES (why it is no page), so a new page
cannot be added without a check.
"""

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from carebridge.booking.actions import book_appointment
from carebridge.booking.models import Channel
from carebridge.booking.tests.helpers import make_session
from carebridge.content.models import Article
from carebridge.institutions.demo.load import load_demo
from carebridge.institutions.models import Doctor
from carebridge.patients.tests import factories
from carebridge.results import actions as results_actions
from carebridge.results.tests import helpers as results_helpers
from carebridge.results.tests import pages as results_pages
from carebridge.tests.browser import TIMEOUT_MS
from carebridge.wechat.models import Follower
from conftest import wechat_session

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "a11y"
OPENID = "o_a11y_elder_0000000000000000"
WIDTHS = (320, 390)
LANGUAGES = ("zh-hans", "en")
MODES = ("standard", "elder")
ELDER_TEXT_PX = 24  # 18 pt
TARGET_PX = {"standard": 44, "elder": 60}
WEIGHT_BUDGET = 200 * 1024  # HTML + CSS + JS of a first visit


@dataclass
class World:
    slug: str
    department: int
    doctor: int
    session: int
    slot: int
    appointment: int
    patient: int
    article: int
    report: int
    visit: int
    share_token: str
    revoked_token: str
    order: str
    survey: int
    poll: int
    constitution: int
    consultation: int


# How to open each page of the URL map (view name → path under the live server).
PAGES: dict[str, Callable[[World], str]] = {
    "institutions:home": lambda w: f"/h5/{w.slug}/",
    "institutions:about": lambda w: f"/h5/{w.slug}/about/",
    "institutions:departments": lambda w: f"/h5/{w.slug}/departments/",
    "institutions:department": lambda w: f"/h5/{w.slug}/departments/{w.department}/",
    "institutions:doctor": lambda w: f"/h5/{w.slug}/doctors/{w.doctor}/",
    "institutions:navigation": lambda w: f"/h5/{w.slug}/navigation/",
    "institutions:search": lambda w: f"/h5/{w.slug}/search/?q=心",
    "institutions:elder": lambda w: f"/h5/{w.slug}/elder/?next=/h5/{w.slug}/",
    "engagement:surveys": lambda w: f"/h5/{w.slug}/surveys/",
    "engagement:survey": lambda w: f"/h5/{w.slug}/surveys/{w.survey}/",
    "engagement:poll": lambda w: f"/h5/{w.slug}/polls/{w.poll}/",
    "engagement:constitution": lambda w: f"/h5/{w.slug}/constitution/",
    "engagement:constitution_result": lambda w: f"/h5/{w.slug}/constitution/{w.constitution}/",
    "billing:me": lambda w: f"/h5/{w.slug}/me/",
    "billing:orders": lambda w: f"/h5/{w.slug}/orders/",
    "billing:order": lambda w: f"/h5/{w.slug}/orders/{w.order}/",
    "billing:pay": lambda w: f"/h5/{w.slug}/orders/{w.order}/pay/",
    "content:list": lambda w: f"/h5/{w.slug}/news/",
    "content:detail": lambda w: f"/h5/{w.slug}/news/{w.article}/",
    "patients:list": lambda w: f"/h5/{w.slug}/patients/",
    "patients:add": lambda w: f"/h5/{w.slug}/patients/add/",
    "patients:edit": lambda w: f"/h5/{w.slug}/patients/{w.patient}/edit/",
    "patients:delete": lambda w: f"/h5/{w.slug}/patients/{w.patient}/delete/",
    "booking:departments": lambda w: f"/h5/{w.slug}/booking/",
    "booking:department": lambda w: f"/h5/{w.slug}/booking/department/{w.department}/",
    "booking:session": lambda w: f"/h5/{w.slug}/booking/session/{w.session}/",
    "booking:confirm": lambda w: f"/h5/{w.slug}/booking/session/{w.session}/slot/{w.slot}/",
    "booking:queues": lambda w: f"/h5/{w.slug}/booking/queues/",
    "booking:queue": lambda w: f"/h5/{w.slug}/queue/",
    "booking:appointments": lambda w: f"/h5/{w.slug}/appointments/",
    "booking:appointment": lambda w: f"/h5/{w.slug}/appointments/{w.appointment}/",
    "results:list": lambda w: f"/h5/{w.slug}/reports/",
    "results:report": lambda w: f"/h5/{w.slug}/reports/{w.report}/",
    "results:visits": lambda w: f"/h5/{w.slug}/visits/",
    "results:visit": lambda w: f"/h5/{w.slug}/visits/{w.visit}/",
    "billing:bills": lambda w: f"/h5/{w.slug}/bills/",
    "billing:deposit": lambda w: f"/h5/{w.slug}/deposit/",
    "engagement:ask": lambda w: f"/h5/{w.slug}/ask/",
    "engagement:consultations": lambda w: f"/h5/{w.slug}/consultations/",
    "engagement:consultation": lambda w: f"/h5/{w.slug}/consultations/{w.consultation}/",
    # WeChat sign-in, under /wechat/<account>/oauth/: the pages a patient meets on the way in.
    "wechat:oauth_me": lambda w: f"/wechat/{w.slug}/oauth/me",
}
# Views under /h5/<account>/ that answer no GET with a page of their own.
NOT_PAGES = {
    "booking:cancel": "POST only; its confirmation is part of booking:appointment",
    "content:like": "POST only; its button is on content:detail",
    "billing:pay_bills": "POST only; its form is on billing:bills",
    "billing:deposit_top_up": "POST only; its form is on billing:deposit",
    "billing:deposit_refund": "POST only; its form is on billing:deposit",
    "billing:status": "JSON that billing:pay's script polls",
    "engagement:poll_counts": "JSON that engagement:poll's script polls for the live counts",
    "patients:default": "POST only; its button is on patients:list",
    "results:share": "POST only; its form is on results:report",
    "results:revoke": "POST only; its button is on results:report",
    "engagement:need_person": "POST only; its button is on engagement:consultation",
    "engagement:photo": "a JPEG shown on engagement:consultation",
    "wechat:oauth_start": "redirects to WeChat; its refusal page is in EXTRA",
    "wechat:oauth_callback": "WeChat's redirect back; its refusal page is in EXTRA",
}
# More states of the pages above: a query string's variant, a form's errors, a missing page.
EXTRA = {
    "billing:orders?status=unpaid": lambda w: f"/h5/{w.slug}/orders/?status=unpaid",
    "institutions:search (refused)": lambda w: f"/h5/{w.slug}/search/?q={'长' * 200}",
    "404": lambda w: f"/h5/{w.slug}/no-such-page/",
    "wechat:oauth_start (refused)": (
        lambda w: f"/wechat/{w.slug}/oauth/start?next=https://evil.example/"
    ),
    "wechat:oauth_callback (refused)": lambda w: f"/wechat/{w.slug}/oauth/callback?state=stale",
    "results:list (refused)": lambda w: f"/h5/{w.slug}/reports/?start=yesterday",
    # The public page a shared link opens (outside /h5/, for a doctor elsewhere), and its refusal.
    "results:shared": lambda w: f"/shared/reports/{w.share_token}/",
    "results:shared (revoked)": lambda w: f"/shared/reports/{w.revoked_token}/",
}
# Pages answering with a status of their own (a refused shared link is gone: 410).
STATUS = {"results:shared (revoked)": 410}
# Pages read by no WeChat user (a doctor elsewhere opens a shared link in any browser), so
# never in the elder mode: checked in the standard mode only.
STANDARD_ONLY = {"results:shared", "results:shared (revoked)"}
# Pages whose form is submitted empty, to check the errors said next to each field.
SUBMIT_EMPTY = {
    "patients:add (errors)": ("patients:add", "button[name=save]"),
    "billing:deposit (errors)": ("billing:deposit", "form[action$='top-up/'] button"),
    "engagement:survey (errors)": ("engagement:survey", "main form[method=post] .weui-btn_primary"),
    "engagement:constitution (errors)": (
        "engagement:constitution",
        "main form[method=post] .weui-btn_primary",
    ),
    "engagement:ask (errors)": ("engagement:ask", "button[name=send]"),
}


PATIENT_ROUTES = re.compile(r"h5/|wechat/<slug:slug>/oauth/")


def h5_view_names() -> set[str]:
    """Every named view the URL map mounts under h5/<account>/, and the WeChat sign-in's
    (wechat/<account>/oauth/)."""
    found = set()

    def walk(patterns, prefix: str, namespace: str | None):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = ":".join(n for n in (namespace, entry.namespace) if n) or None
                walk(entry.url_patterns, route, inner)
            elif isinstance(entry, URLPattern) and PATIENT_ROUTES.match(route) and entry.name:
                found.add(f"{namespace}:{entry.name}" if namespace else entry.name)

    walk(get_resolver().url_patterns, "", None)
    return found


def test_every_h5_page_of_the_url_map_has_a_browser_check():
    names = h5_view_names()
    assert names, "no H5 views found in the URL map"
    unchecked = names - set(PAGES) - set(NOT_PAGES)
    assert not unchecked, f"add these H5 pages to PAGES (or NOT_PAGES, saying why): {unchecked}"
    assert not (set(PAGES) | set(NOT_PAGES)) - names, "PAGES lists views the URL map lacks"


def test_the_compressed_weui_says_what_the_stylesheet_says():
    """WhiteNoise sends weui-2.6.26.min.css.gz to browsers that accept gzip (a first visit on a
    weak signal): it must be the same stylesheet."""
    import gzip

    css = Path(settings.BASE_DIR) / "carebridge/static/weui/weui-2.6.26.min.css"
    assert gzip.decompress(css.with_name(css.name + ".gz").read_bytes()) == css.read_bytes()


# --- the walk ------------------------------------------------------------------------------------


# Measured in the page: sideways scrolling, text over text, small targets, small elder text.
MEASURE = """([minTarget, minText, standard]) => {
  const visible = el => {
    if (!el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true})) return false;
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && el.closest('.h5-skip, .h5-visually-hidden') === null;
  };
  const describe = el => {
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim();
    return el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' "' + text.slice(0, 30) + '"';
  };
  const doc = document.documentElement;
  const result = {overflow: Math.max(0, doc.scrollWidth - window.innerWidth),
                  overlaps: [], targets: [], texts: []};
  // Text boxes, one per line of each text node.
  const lines = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim() || !visible(node.parentElement)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width > 1 && r.height > 1) lines.push({node, r});
    }
    const size = parseFloat(getComputedStyle(node.parentElement).fontSize);
    if (minText && size < minText - 0.01) {
      result.texts.push(describe(node.parentElement) + ' ' + size + 'px');
    }
  }
  for (let i = 0; i < lines.length; i++) {
    for (let j = i + 1; j < lines.length; j++) {
      const a = lines[i].r, b = lines[j].r;
      if (lines[i].node === lines[j].node) continue;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 2 && h > Math.min(a.height, b.height) / 3) {
        result.overlaps.push(describe(lines[i].node.parentElement) + ' × ' +
                             describe(lines[j].node.parentElement));
      }
    }
  }
  const controls = document.querySelectorAll(
    'a[href], button, summary, select, textarea, .weui-check__label, ' +
    'input:not([type=hidden]):not([type=radio]):not([type=checkbox])');
  for (const el of controls) {
    if (!visible(el)) continue;
    if (standard && el.tagName === 'A' && getComputedStyle(el).display === 'inline') continue;
    const box = el.getBoundingClientRect();
    if (box.width < minTarget - 0.5 || box.height < minTarget - 0.5) {
      const size = Math.round(box.width) + '×' + Math.round(box.height);
      result.targets.push(describe(el) + ' ' + size);
    }
  }
  result.overlaps = [...new Set(result.overlaps)].slice(0, 10);
  result.texts = [...new Set(result.texts)].slice(0, 10);
  return result;
}"""

AXE_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' — ' + n.failureSummary)}));
}"""


@pytest.fixture
def world(sandbox, settings) -> World:
    """The demo hospital; a WeChat user with herself as a patient, booked with Dr Wang tomorrow
    (three more places free), its registration fee waiting to be paid at the sandbox's WeChat
    Pay; a news article; a visit, a report with an abnormal item and an earlier one (its trend),
    shared by a link, and a second link revoked."""
    demo = load_demo(sandbox.url)
    settings.WECHATPAY_API_BASE = sandbox.url + "/sandbox/pay"
    follower = Follower.objects.create(
        account=demo.account, openid=OPENID, subscribed=True, elder_mode_offered_at=timezone.now()
    )
    patient = factories.patient(follower, name="林小雨", is_default=True)
    wang = Doctor.objects.get(institution=demo.institution, name="王建国")
    cardiology = wang.departments.get()
    tomorrow = timezone.localdate() + timedelta(days=1)
    session = make_session(
        demo.institution, cardiology, wang, tomorrow, capacity=6, quota_wechat=4, quota_window=2
    )
    appointment = book_appointment(
        demo.institution, session.pk, Channel.WECHAT, patient_id=patient.pk, booked_by=follower
    )
    article = Article.objects.create(
        institution=demo.institution,
        kind="news",
        category="operations",
        title="我院开通微信预约挂号",
        title_en="Book appointments on WeChat",
        summary="关注服务号，即可预约挂号、查看候诊排队。",
        body="<p>关注服务号，点击“就医服务”即可预约挂号。</p><p>长辈可以使用长辈版。</p>",
        is_published=True,
    )
    report, visit = _results(patient)
    _bills(patient)
    fee = _fee(demo, patient, appointment)
    share = results_actions.share_report(follower, report.pk, 72, timezone.now())
    revoked = results_actions.share_report(follower, report.pk, 24, timezone.now())
    results_actions.revoke_share(follower, revoked.share.pk, timezone.now())
    return World(
        report=report.pk,
        visit=visit.pk,
        share_token=share.token,
        revoked_token=revoked.token,
        slug=demo.account.slug,
        department=cardiology.pk,
        doctor=wang.pk,
        session=session.pk,
        slot=session.slots.free(timezone.now()).first().pk,
        appointment=appointment.pk,
        patient=patient.pk,
        article=article.pk,
        order=fee.out_trade_no,
        **_engagement(demo, patient),
        consultation=_consultation(demo, follower),
    )


def _engagement(demo, patient) -> dict:
    """A general survey with a question of each kind (one branching), the demo's poll, and a
    constitution result of the patient."""
    from carebridge.engagement.actions.constitution import record_constitution
    from carebridge.engagement.constitution import items_for
    from carebridge.engagement.models import Poll
    from carebridge.engagement.tests.helpers import make_survey

    survey = make_survey(demo.institution, kind="general")
    result = record_constitution(patient, {i.key: "2" for i in items_for(patient.sex)})
    poll = Poll.objects.filter(institution=demo.institution).first()
    return {"survey": survey.pk, "poll": poll.pk, "constitution": result.pk}


def _consultation(demo, follower) -> int:
    """A question answered automatically (its "still need a person" button shows)."""
    from carebridge.engagement.actions.consultations import receive_question

    asked = receive_question(demo.account, follower, "周末可以抽血吗", "wechat")
    return asked.consultation.pk


def _fee(demo, patient, appointment):
    """The appointment's registration fee, awaiting payment (pay-core opens it at booking)."""
    from carebridge.billing.actions.orders import open_order
    from carebridge.billing.models import Merchant, OrderKind
    from carebridge.sandbox.phone.identity import app_id_of
    from carebridge.sandbox.wxpay.merchants import enroll

    if not Merchant.objects.filter(institution=demo.institution).exists():
        enroll(demo.institution, appid=app_id_of(demo.account))
    return open_order(
        institution=demo.institution,
        patient=patient,
        follower=patient.owner,
        kind=OrderKind.REGISTRATION,
        description="心内科 王建国 挂号费",
        total=1400,
        appointment=appointment,
    )


def _bills(patient):
    """Two unpaid outpatient bills, one paid from the deposit with its e-invoice, and the
    deposit's ledger: a cash top-up and the payment."""
    from carebridge.billing.tests import bill_helpers

    bill_helpers.make_bill(patient, "MZ-A11Y-1")
    bill_helpers.make_bill(patient, "MZ-A11Y-2", department="检验科")
    paid = bill_helpers.paid_bill(patient, "MZ-A11Y-3")
    paid.invoice_number, paid.invoice_url = "3100226001-1", "https://einvoice.example.cn/1"
    paid.save(update_fields=["invoice_number", "invoice_url"])


def _results(patient):
    """A visit, and two 血常规: an earlier normal one and the visit's, with a high count."""
    visit, _outcome = results_helpers.push_visit(patient)
    earlier = results_helpers.NOW - timedelta(days=30)
    results_helpers.push(patient, now=earlier, identifier="LIS-0000", issued=earlier.isoformat())
    report = results_helpers.push(
        patient, identifier="LIS-0001", result=results_pages.high_count(), encounter="V-0001"
    ).report
    return report, visit


def signed_in(account_slug: str) -> str:
    """The session cookie OAuth would leave for the world's WeChat user."""
    from carebridge.institutions.models import WeChatAccount

    account = WeChatAccount.objects.get(slug=account_slug)
    # snsapi_userinfo: wechat:oauth_me asks for it; the H5 pages take it for snsapi_base.
    client = wechat_session(Client(), account, OPENID, scope="snsapi_userinfo")
    return client.cookies["sessionid"].value


def _name(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def _check(page, mode: str, seconds: dict) -> dict:
    elder = mode == "elder"
    started = time.monotonic()
    measured = page.evaluate(MEASURE, [TARGET_PX[mode], ELDER_TEXT_PX if elder else 0, not elder])
    measured_at = time.monotonic()
    measured["violations"] = [
        v for v in page.evaluate(AXE_RUN) if v["impact"] in ("serious", "critical")
    ]
    seconds["measure"] += measured_at - started
    seconds["axe"] += time.monotonic() - measured_at
    return measured


def _problems(where: str, measured: dict) -> list[str]:
    found = []
    if measured["overflow"] > 1:
        found.append(f"{where}: scrolls sideways by {measured['overflow']} px")
    found += [f"{where}: text over text: {o}" for o in measured["overlaps"]]
    found += [f"{where}: target too small: {t}" for t in measured.get("targets", [])]
    found += [f"{where}: text below 18 pt: {t}" for t in measured.get("texts", [])]
    for v in measured.get("violations", []):
        found.append(f"{where}: axe {v['impact']} {v['id']} ({v['help']}): {v['nodes']}")
    return found


def _static_weight(url: str, sizes: dict) -> int:
    """Bytes WhiteNoise sends for a static file to a browser that accepts gzip."""
    if url not in sizes:
        response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
        assert response.status_code == 200, url
        sizes[url] = len(b"".join(response.streaming_content))
    return sizes[url]


def _shot(page, path: Path) -> None:
    """A full-page screenshot (JPEG: a third of PNG's encoding time, still legible)."""
    page.screenshot(path=str(path.with_suffix(".jpg")), full_page=True, type="jpeg", quality=80)


def _check_at_widths(page, label: str, language: str, mode: str, report: dict) -> list[str]:
    """The checks at each width on the page as loaded (a resize reflows it as a fresh load
    would: the pages have no script), then, in the standard mode, again at 200 % text."""
    problems, seconds = [], report["seconds"]
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 720})
        where = f"{label} [{language}, {mode}, {width} px]"
        measured = _check(page, mode, seconds)
        found = _problems(where, measured)
        started = time.monotonic()
        folder = ARTIFACTS / f"{language}-{mode}-{width}"
        folder.mkdir(exist_ok=True)
        _shot(page, folder / _name(label))
        if mode == "standard":
            # WeChat's largest font settings, applied as WeChat for iOS does.
            page.evaluate("document.body.style.webkitTextSizeAdjust = '200%'")
            found += _problems(f"{where} at 200 % text", page.evaluate(MEASURE, [0, 0, True]))
            if width == WIDTHS[0] and language == LANGUAGES[0]:
                _shot(page, folder / f"{_name(label)}-200-percent")
            page.evaluate("document.body.style.webkitTextSizeAdjust = ''")
        seconds["screenshots"] += time.monotonic() - started
        report["checked"] += 1
        report["pages"].setdefault(label, {})[f"{language}-{mode}-{width}"] = {
            "violations": sorted({v["id"] for v in measured["violations"]}),
            "problems": len(found),
        }
        problems += found
    return problems


def _weight(page, static_sizes: dict) -> int:
    """HTML + CSS + JS of the page on a first visit, as the application sends them."""
    html = page.evaluate("performance.getEntriesByType('navigation')[0].encodedBodySize")
    assets = page.evaluate(
        """[...document.querySelectorAll('link[rel=stylesheet][href], script[src]')]
           .map(e => new URL(e.href || e.src).pathname)"""
    )
    return html + sum(_static_weight(url, static_sizes) for url in assets)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_patient_page_passes_axe_and_the_elder_figures(browser, world, live_server):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    session_cookie = signed_in(world.slug)
    visits = {name: build(world) for name, build in (PAGES | EXTRA).items()}
    steps = list(visits.items()) + [(label, visits[n]) for label, (n, _b) in SUBMIT_EMPTY.items()]
    problems: list[str] = []
    report = {"pages": {}, "checked": 0, "weight": {}}
    seconds = report["seconds"] = {"open": 0.0, "measure": 0.0, "axe": 0.0, "screenshots": 0.0}
    static_sizes: dict[str, int] = {}
    for mode in MODES:
        Follower.objects.filter(openid=OPENID).update(elder_mode=mode == "elder")
        for language in LANGUAGES:
            context = browser.new_context(
                viewport={"width": WIDTHS[0], "height": 720},
                is_mobile=True,
                has_touch=True,
                locale="zh-CN" if language == "zh-hans" else "en-GB",
                base_url=live_server.url,
            )
            context.set_default_timeout(TIMEOUT_MS)
            context.add_cookies(
                [
                    {"name": "sessionid", "value": session_cookie, "url": live_server.url},
                    {"name": "django_language", "value": language, "url": live_server.url},
                ]
            )
            context.add_init_script(path=str(AXE_FILE_PATH))
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
            try:
                for label, path in steps:
                    if mode != "standard" and label in STANDARD_ONLY:
                        continue
                    started = time.monotonic()
                    page.set_viewport_size({"width": WIDTHS[0], "height": 720})
                    response = page.goto(path)
                    if label in SUBMIT_EMPTY:
                        page.locator(SUBMIT_EMPTY[label][1]).click()
                        page.wait_for_load_state()
                    else:
                        expected = STATUS.get(label) or (
                            404 if label == "404" else 400 if "refused" in label else 200
                        )
                        if response.status != expected:
                            problems.append(f"{label} [{language}, {mode}]: {response.status}")
                            continue
                    seconds["open"] += time.monotonic() - started
                    problems += _check_at_widths(page, label, language, mode, report)
                    if (mode, language) == (MODES[0], LANGUAGES[0]):
                        report["weight"][label] = _weight(page, static_sizes)
                problems += [f"[{language}, {mode}] script error: {e}" for e in errors]
            finally:
                context.close()
    heaviest = max(report["weight"], key=report["weight"].get)
    report["heaviest"] = {"page": heaviest, "bytes": report["weight"][heaviest]}
    report["problems"] = problems
    (ARTIFACTS / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    assert problems == [], "\n".join(problems[:60]) + f"\n… {len(problems)} in all"
    assert report["weight"][heaviest] < WEIGHT_BUDGET, report["heaviest"]


# --- the phone simulator's WeChat settings ------------------------------------------------------


def _open_in_simulator(page, nickname: str):
    page.goto("/sandbox/?account=demo")
    page.get_by_placeholder("新用户昵称").fill(nickname)
    page.get_by_role("button", name="新建").click()
    page.locator(".phone__primary", has_text="关注公众号").click()
    page.locator(".phone__menu-button", has_text="就医服务").click()
    page.locator(".phone__submenu button", has_text="预约挂号").click()
    frame = page.frame_locator("#browser-frame")
    frame.locator("h1").wait_for()
    return frame


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("phone", ["desktop", "mobile"])
def test_the_simulator_sets_wechats_font_size_and_care_mode(browser, world, live_server, phone):
    """The font size reaches the page the way WeChat sends it (-webkit-text-size-adjust on the
    body); a desktop browser ignores that, so there the simulator zooms the page instead. Care
    mode is at least 140 %. The settings belong to the phone: they survive a reload."""
    from carebridge.institutions.models import WeChatAccount
    from carebridge.wechat.actions.menu import sync_menu

    sync_menu(WeChatAccount.objects.get(slug=world.slug))  # the menu the simulator shows
    mobile = phone == "mobile"
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        is_mobile=mobile,
        locale="zh-CN",
        base_url=live_server.url,
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        frame = _open_in_simulator(page, f"小字{phone}")
        body = frame.locator("body")
        plain = float(body.evaluate("b => parseFloat(getComputedStyle(b).fontSize)"))
        expect_offer = frame.locator(".h5-offer")
        assert expect_offer.is_visible()  # a new user's first page offers the elder mode

        page.select_option("#wx-font", "2")
        html = frame.locator("html")
        assert html.get_attribute("data-wechat-font-scale") == "2"
        enlarged = float(body.evaluate("b => parseFloat(getComputedStyle(b).fontSize)"))
        zoom = html.evaluate("h => h.style.zoom")
        if mobile:
            assert (enlarged, zoom) == (2 * plain, "")
        else:
            assert (enlarged, zoom) == (plain, "2")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.locator(".phone").screenshot(path=str(ARTIFACTS / f"simulator-font-200-{phone}.png"))

        page.select_option("#wx-font", "1")
        page.locator("#wx-care").check()
        assert html.get_attribute("data-wechat-font-scale") == "1.4"
        assert "phone_care" in page.locator(".phone").get_attribute("class")
        page.reload()
        assert page.locator("#wx-care").is_checked()
        assert page.locator("#wx-font").input_value() == "1"
    finally:
        context.close()
