/* The sandbox's stand-in for WeChat's JS-SDK (jweixin-1.6.0.js), a static file served offline
   (settings.WECHAT_JSSDK_SCRIPT). It does what a page can observe of the
   real one for sharing:
   - wx.config({appId, timestamp, nonceStr, signature, jsApiList}) is checked by the sandbox
     against the account's jsapi ticket and the page's URL (without its #fragment), as WeChat
     checks it; then wx.ready's callbacks run, or wx.error's with {errMsg: "config:invalid
     signature"} (or "config:invalid url domain", "config:invalid appid").
   - wx.updateAppMessageShareData / updateTimelineShareData, allowed only after a good config
     that listed them, with a link on the page's own domain: the card is recorded
     (wx.__shared.friend / .timeline) and handed to the phone simulator around the page, which
     shows "分享给朋友" with that title, description, image and link.
   Any other API answers {errMsg: "<name>:fail"}. */
(function () {
  "use strict";
  var VERIFY = "/sandbox/jssdk/verify";
  var state = { status: "new", apis: [], ready: [], error: [], res: null };
  var shared = {};

  function later(fn, arg) { if (typeof fn === "function") { setTimeout(function () { fn(arg); }, 0); } }

  function settle(ok, res) {
    state.status = ok ? "ready" : "failed";
    state.res = res;
    (ok ? state.ready : state.error).forEach(function (fn) { later(fn, res); });
  }

  function config(options) {
    options = options || {};
    state.status = "checking";
    state.apis = options.jsApiList || [];
    var body = new URLSearchParams({
      appId: options.appId || "", timestamp: String(options.timestamp || ""),
      nonceStr: options.nonceStr || "", signature: options.signature || "",
      url: location.href.split("#")[0]
    });
    fetch(VERIFY, { method: "POST", body: body })
      .then(function (r) { return r.json(); })
      .then(function (res) { settle(res.errMsg === "config:ok", res); })
      .catch(function () { settle(false, { errMsg: "config:fail" }); });
  }

  function share(kind, name) {
    return function (options) {
      options = options || {};
      var fail = function (why) { later(options.fail, { errMsg: name + ":fail " + why }); };
      if (state.status !== "ready") { return fail("not configured"); }
      if (state.apis.indexOf(name) < 0) { return fail("permission denied"); }
      var link;
      try { link = new URL(options.link, location.href); } catch (e) { return fail("invalid link"); }
      if (link.host !== location.host) { return fail("the link must be on the page's domain"); }
      var card = { title: String(options.title || ""), desc: String(options.desc || ""),
                   link: link.href, imgUrl: String(options.imgUrl || "") };
      shared[kind] = card;
      try { window.parent.postMessage({ source: "jweixin-stand-in", kind: kind, card: card }, location.origin); }
      catch (e) { /* no simulator around the page */ }
      later(options.success, { errMsg: name + ":ok" });
    };
  }

  var wx = {
    config: config,
    ready: function (fn) { if (state.status === "ready") { later(fn); } else { state.ready.push(fn); } },
    error: function (fn) { if (state.status === "failed") { later(fn, state.res); } else { state.error.push(fn); } },
    updateAppMessageShareData: share("friend", "updateAppMessageShareData"),
    updateTimelineShareData: share("timeline", "updateTimelineShareData"),
    checkJsApi: function (options) {
      var result = {};
      ((options && options.jsApiList) || []).forEach(function (n) { result[n] = typeof wx[n] === "function"; });
      later(options && options.success, { checkResult: result, errMsg: "checkJsApi:ok" });
    },
    __shared: shared,
    __state: state
  };
  window.wx = window.jWeixin = wx;
})();
