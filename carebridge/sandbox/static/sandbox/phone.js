/* The phone simulator: actions go to small JSON endpoints; what arrives is polled. No build. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("phone-data").textContent);
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var chat = document.getElementById("chat");
  var lastId = 0;
  var polling = null;

  function toast(text) {
    var box = document.getElementById("toast");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { box.hidden = true; }, 4000);
  }

  function post(url, fields) {
    var body = new URLSearchParams(Object.assign({ account: data.account, openid: data.openid }, fields));
    return fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded" },
      body: body,
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (!response.ok) { throw new Error(answer.error || data.text.failed + " (" + response.status + ")"); }
        return answer;
      });
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  /* WeChat text may hold <a href="…">…</a> links and nothing else: keep those, escape the rest. */
  function richText(node, text) {
    var pattern = /<a\s+href=["']([^"']+)["'][^>]*>([\s\S]*?)<\/a>/gi;
    var index = 0, match;
    while ((match = pattern.exec(text)) !== null) {
      node.appendChild(document.createTextNode(text.slice(index, match.index)));
      node.appendChild(link(match[1], match[2]));
      index = pattern.lastIndex;
    }
    node.appendChild(document.createTextNode(text.slice(index)));
  }

  function isWebAddress(url) {
    return /^https?:\/\//i.test(url || "");
  }

  function link(url, label) {
    var a = el("a", "", label);
    a.href = isWebAddress(url) ? url : "#";
    a.addEventListener("click", function (event) { event.preventDefault(); openPage(url); });
    return a;
  }

  function render(message) {
    var row = el("div", "msg msg_" + message.side);
    if (message.side === "system" || message.type === "note") {
      row.className = "msg msg_system";
      row.appendChild(el("span", "msg__note", message.text));
      return row;
    }
    var bubble = el("div", "msg__bubble msg__bubble_" + message.type);
    if (message.label) { bubble.appendChild(el("div", "msg__label", message.label)); }
    if (message.type === "news") {
      (message.articles || []).forEach(function (article) {
        var card = el("a", "msg__article");
        card.href = isWebAddress(article.url) ? article.url : "#";
        card.appendChild(el("strong", "", article.title));
        if (article.description) { card.appendChild(el("p", "", article.description)); }
        card.addEventListener("click", function (event) { event.preventDefault(); if (article.url) { openPage(article.url); } });
        bubble.appendChild(card);
      });
    } else if (message.type === "template") {
      bubble.appendChild(el("strong", "msg__template-title", message.title));
      (message.fields || []).forEach(function (field) {
        var line = el("div", "msg__field");
        if (field.name) { line.appendChild(el("span", "msg__field-name", field.name)); }  /* first/remark: bare */
        line.appendChild(el("span", "", field.value));
        bubble.appendChild(line);
      });
      if (message.url) { bubble.appendChild(link(message.url, data.text.details + " ›")); }
    } else {
      var text = el("div", "msg__text");
      richText(text, message.text || "");
      bubble.appendChild(text);
    }
    row.appendChild(bubble);
    row.appendChild(el("span", "msg__time", message.time));
    return row;
  }

  function poll() {
    if (!data.openid || !chat) { return Promise.resolve(); }
    var url = data.urls.messages + "?" + new URLSearchParams({ account: data.account, openid: data.openid, after: lastId });
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    }).then(function (answer) {
      (answer.messages || []).forEach(function (message) {
        if (message.id <= lastId) { return; }  /* two polls overlapped: shown already */
        lastId = message.id;
        chat.appendChild(render(message));
      });
      if ((answer.messages || []).length) { chat.scrollTop = chat.scrollHeight; }
      if (typeof answer.subscribed === "boolean" && answer.subscribed !== data.subscribed) { location.reload(); }
      if (JSON.stringify(answer.menu) !== JSON.stringify(data.menu)) { data.menu = answer.menu; renderMenu(); }
    }).catch(function () { /* the server restarts: the next poll catches up */ });
  }

  function startPolling() {
    poll();
    polling = setInterval(poll, 1500);
  }

  /* --- the menu ------------------------------------------------------------------------- */
  var menuBox = document.getElementById("menu");

  function closePopups() {
    document.querySelectorAll(".phone__submenu").forEach(function (popup) { popup.remove(); });
  }

  function renderMenu() {
    if (!menuBox) { return; }
    menuBox.textContent = "";
    if (!data.menu || !data.menu.length) {
      menuBox.appendChild(el("span", "phone__menu-hint", data.text.no_menu));
      return;
    }
    data.menu.forEach(function (button, i) {
      var top = el("button", "phone__menu-button", (button.sub_button && button.sub_button.length ? "≡ " : "") + button.name);
      top.type = "button";
      top.addEventListener("click", function (event) {
        event.stopPropagation();
        var open = top.parentNode.querySelector(".phone__submenu[data-for='" + i + "']");
        closePopups();
        if (!(button.sub_button && button.sub_button.length)) { tap(String(i)); return; }
        if (open) { return; }
        var popup = el("div", "phone__submenu");
        popup.dataset.for = String(i);
        popup.style.left = (i * 100 / data.menu.length) + "%";
        popup.style.width = (100 / data.menu.length) + "%";
        button.sub_button.forEach(function (sub, j) {
          var item = el("button", "", sub.name);
          item.type = "button";
          item.addEventListener("click", function () { closePopups(); tap(i + "." + j); });
          popup.appendChild(item);
        });
        menuBox.appendChild(popup);
      });
      menuBox.appendChild(top);
    });
  }

  function tap(path) {
    post(data.urls.menu, { path: path }).then(function (answer) {
      if (answer.open) { openPage(answer.open); }
      poll();
    }).catch(function (error) { toast(error.message); poll(); });
  }

  document.addEventListener("click", closePopups);

  /* --- the input bar -------------------------------------------------------------------- */
  var input = document.getElementById("input");
  var textBox = input ? input.querySelector("input[name=content]") : null;
  var toggle = document.getElementById("toggle");
  var extras = document.getElementById("extras");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var typing = input.hidden;
      input.hidden = !typing;
      menuBox.hidden = typing;
      extras.hidden = true;
      toggle.textContent = typing ? "☰" : "⌨";
      if (typing) { textBox.focus(); }
    });
    input.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = textBox.value.trim();
      if (!text) { return; }
      post(data.urls.send, { kind: "text", content: text }).then(function () {
        textBox.value = "";
        poll();
      }).catch(function (error) { toast(error.message); poll(); });
    });
    document.getElementById("more").addEventListener("click", function () { extras.hidden = !extras.hidden; });
    extras.addEventListener("click", function (event) {
      var kind = event.target.dataset.send;
      if (!kind) { return; }
      var fields = { kind: kind };
      if (kind === "location") {
        Object.assign(fields, { latitude: data.location.latitude, longitude: data.location.longitude, label: data.location.label });
      } else {
        fields.content = textBox.value.trim();
        if (!fields.content) { toast(data.text.voice_hint); return; }
      }
      post(data.urls.send, fields).then(function () {
        extras.hidden = true;
        if (kind === "voice") { textBox.value = ""; }
        poll();
      }).catch(function (error) { toast(error.message); poll(); });
    });
  }

  /* --- the in-phone browser (a page opened "inside WeChat") ----------------------------- */
  var browser = document.getElementById("browser");
  var frame = document.getElementById("browser-frame");

  function openPage(url) {
    if (!isWebAddress(url)) { return; }
    hideShare();
    browser.hidden = false;
    document.getElementById("browser-title").textContent = url;
    frame.src = url;
  }

  frame.addEventListener("load", function () {
    try { document.getElementById("browser-title").textContent = frame.contentDocument.title || frame.src; }
    catch (e) { /* a page of another origin keeps the address as its title */ }
  });
  /* The share card a page set through the JS-SDK stand-in (sandbox/jweixin.js): what a friend
     (and Moments) would see, title, description, image and link, as WeChat's share sheet. */
  var shareBox = document.getElementById("browser-share");
  var sharedFor = null;  /* the address of the page whose card is shown */

  function hideShare() {
    sharedFor = null;
    shareBox.hidden = true;
    document.getElementById("share-timeline").hidden = true;
  }

  window.addEventListener("message", function (event) {
    var message = event.data;
    if (event.origin !== location.origin || event.source !== frame.contentWindow) { return; }
    if (!message || message.source !== "jweixin-stand-in" || !message.card) { return; }
    var card = message.card;
    try { sharedFor = frame.contentWindow.location.href; } catch (e) { return; }
    if (message.kind === "timeline") {
      document.getElementById("share-timeline-title").textContent = card.title;
      document.getElementById("share-timeline").hidden = false;
      return;
    }
    document.getElementById("share-title").textContent = card.title;
    document.getElementById("share-desc").textContent = card.desc;
    document.getElementById("share-link").textContent = card.link;
    var image = document.getElementById("share-image");
    image.hidden = !card.imgUrl;
    if (card.imgUrl) { image.src = card.imgUrl; }
    shareBox.hidden = false;
  });
  frame.addEventListener("load", function () {
    /* a card arrives after its page's load (the config is checked first); another page's goes */
    try { if (frame.contentWindow.location.href !== sharedFor) { hideShare(); } }
    catch (e) { hideShare(); }
  });

  document.getElementById("browser-close").addEventListener("click", function () {
    browser.hidden = true;
    frame.src = "about:blank";
    poll();
  });
  document.getElementById("browser-reload").addEventListener("click", function () {
    try { frame.contentWindow.location.reload(); } catch (e) { frame.src = frame.src; }
  });
  document.querySelectorAll("[data-open]").forEach(function (a) {
    a.addEventListener("click", function (event) { event.preventDefault(); openPage(a.dataset.open); });
  });

  /* --- WeChat's JS bridge and its pay sheet ---------------------------------------------
     WeChat gives every page it opens a WeixinJSBridge and fires WeixinJSBridgeReady on its
     document once the page has loaded; the simulator does the same for the pages of its own
     site (SITE_URL: the frame is same-origin, as applyToPage below also needs). Only
     getBrandWCPayRequest is answered: the server checks the paySign as WeChat would, the sheet
     shows the sandbox's own amount, and 确认支付 pays at the sandbox's WeChat Pay. The page's
     callback gets {err_msg: "get_brand_wcpay_request:ok" | ":cancel" | ":fail"}. */
  var PAY_FIELDS = ["appId", "timeStamp", "nonceStr", "package", "signType", "paySign"];
  var sheet = document.getElementById("pay-sheet");
  var sheetConfirm = document.getElementById("pay-sheet-confirm");
  var sheetCancel = document.getElementById("pay-sheet-cancel");
  var pending = null;  /* the open sheet's {fields, callback} */

  function callBack(callback, outcome, detail) {
    if (typeof callback !== "function") { return; }
    var res = { err_msg: "get_brand_wcpay_request:" + outcome };
    if (detail) { res.err_desc = detail; }
    setTimeout(function () { callback(res); }, 0);  /* WeChat calls back later, never inline */
  }

  function payFields(params) {
    var fields = {};
    PAY_FIELDS.forEach(function (name) {
      var value = params && params[name];
      fields[name] = value === undefined || value === null ? "" : String(value);
    });
    return fields;
  }

  function closeSheet(outcome, detail) {
    var open = pending;
    pending = null;
    sheet.hidden = true;
    sheetConfirm.disabled = false;
    if (open) { callBack(open.callback, outcome, detail); }
  }

  function openSheet(info, fields, callback) {
    if (pending) { closeSheet("cancel"); }  /* a second request replaces the first */
    pending = { fields: fields, callback: callback };
    document.getElementById("pay-sheet-merchant").textContent = info.merchant;
    document.getElementById("pay-sheet-amount").textContent = info.amount;
    document.getElementById("pay-sheet-description").textContent = info.description;
    sheet.hidden = false;
    sheetConfirm.focus();
  }

  sheetConfirm.addEventListener("click", function () {
    if (!pending) { return; }
    sheetConfirm.disabled = true;
    post(data.urls.pay_confirm, pending.fields).then(function () {
      closeSheet("ok");
    }).catch(function (error) {
      toast(error.message);
      closeSheet("fail", error.message);
    });
  });
  sheetCancel.addEventListener("click", function () { closeSheet("cancel"); });

  function bridgeInvoke(name, params, callback) {
    if (name !== "getBrandWCPayRequest") {
      if (typeof callback === "function") { setTimeout(function () { callback({ err_msg: "system:function_not_exist" }); }, 0); }
      return;
    }
    var fields = payFields(params);
    post(data.urls.pay_sheet, fields).then(function (info) {
      openSheet(info, fields, callback);
    }).catch(function (error) {
      toast(error.message);
      callBack(callback, "fail", error.message);
    });
  }

  function installBridge() {
    var win;
    try { win = frame.contentWindow; if (!win || !win.document || !win.document.body) { return; } }
    catch (e) { return; }  /* another origin's page: no bridge */
    if (win.WeixinJSBridge) { return; }
    win.WeixinJSBridge = {
      invoke: function (name, params, callback) { bridgeInvoke(name, params, callback); },
      on: function () {},
      call: function () {}
    };
    var ready = win.document.createEvent("Event");
    ready.initEvent("WeixinJSBridgeReady", true, false);
    win.document.dispatchEvent(ready);
  }

  frame.addEventListener("load", installBridge);
  document.getElementById("browser-close").addEventListener("click", function () { closeSheet("cancel"); });

  /* --- WeChat's font size and care mode ---------------------------------------------------
     WeChat for iOS enlarges a web page's text by setting -webkit-text-size-adjust on its body
     (and WeChat for Android through the web view's text zoom, to the same effect); the pages
     must follow it, not lock it. Browsers on a computer ignore that property, so there the
     simulator zooms the page instead: the nearest a desktop browser comes to a phone's larger
     text. Care mode is at least WeChat's 关怀模式 size, about 140 %. Kept in localStorage: the
     setting belongs to the phone, not to the account or the user. */
  var CARE_SCALE = 1.4;
  var fontSelect = document.getElementById("wx-font");
  var careBox = document.getElementById("wx-care");
  var phone = document.querySelector(".phone");

  function wechatScale() {
    var chosen = parseFloat(fontSelect.value) || 1;
    return careBox.checked ? Math.max(chosen, CARE_SCALE) : chosen;
  }

  function applyToPage() {
    var doc;
    try { doc = frame.contentDocument; } catch (e) { return; }  /* another origin's page */
    if (!doc || !doc.body) { return; }
    var scale = wechatScale();
    var body = doc.body;
    body.style.webkitTextSizeAdjust = "";
    doc.documentElement.style.zoom = "";
    var plain = parseFloat(getComputedStyle(body).fontSize);
    if (scale !== 1) {
      body.style.webkitTextSizeAdjust = Math.round(scale * 100) + "%";
      if (Math.abs(parseFloat(getComputedStyle(body).fontSize) - plain) < 0.5) {
        doc.documentElement.style.zoom = String(scale);  /* text-size-adjust ignored here */
      }
    }
    doc.documentElement.dataset.wechatFontScale = String(scale);
  }

  function applySettings() {
    var scale = wechatScale();
    phone.style.setProperty("--wx-scale", String(Math.min(scale, 1.6)));
    phone.classList.toggle("phone_care", careBox.checked);
    try {
      localStorage.setItem("sandbox.wechat.font", fontSelect.value);
      localStorage.setItem("sandbox.wechat.care", careBox.checked ? "1" : "");
    } catch (e) { /* private mode: the setting lasts for this page only */ }
    applyToPage();
  }

  try {
    fontSelect.value = localStorage.getItem("sandbox.wechat.font") || "1";
    careBox.checked = localStorage.getItem("sandbox.wechat.care") === "1";
  } catch (e) { /* no storage: the defaults */ }
  if (!fontSelect.value) { fontSelect.value = "1"; }
  fontSelect.addEventListener("change", applySettings);
  careBox.addEventListener("change", applySettings);
  frame.addEventListener("load", applyToPage);
  applySettings();

  /* --- follow, unfollow, scan, snapshot (the side panel) -------------------------------- */
  document.querySelectorAll("[data-action]").forEach(function (control) {
    var action = control.dataset.action;
    var event = action === "snapshot" ? "change" : "click";
    control.addEventListener(event, function () {
      var request;
      if (action === "snapshot") {
        request = post(data.urls.snapshot, { snapshot: control.checked ? "1" : "0" });
      } else if (action === "scan") {
        request = post(data.urls.follow, { scene: control.dataset.scene, ticket: control.dataset.ticket });
      } else if (action === "scan-pay") {
        // A cashier's Native QR: paying it makes WeChat Pay (the sandbox) notify the server.
        request = post(data.urls.scan_pay, { code_url: control.dataset.code });
      } else {
        request = post(data.urls[action], {});
      }
      control.disabled = true;
      request.then(function () {
        if (action !== "snapshot") { location.reload(); }
        control.disabled = false;
      }).catch(function (error) { toast(error.message); control.disabled = false; });
    });
  });

  renderMenu();
  startPolling();
})();
