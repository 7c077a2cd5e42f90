/* The pay page: open WeChat's cashier with the server's signed parameters, then ask the server
   whether the payment arrived. The cashier's "ok" is not proof of payment (WeChat Pay says so):
   only the server, told by a verified notification or a query, says "paid". No build, no CDN. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("pay-data").textContent);
  var button = document.getElementById("pay-button");
  var result = document.getElementById("pay-result");
  var done = document.getElementById("pay-done");
  var POLL_EVERY_MS = 1500;
  var POLL_FOR_MS = 60000;

  function say(text, kind) {
    result.textContent = text;
    result.className = "billing-result billing-result_" + kind;
    result.hidden = false;
  }

  function offerAgain(text) {
    say(text, "warn");
    button.disabled = false;
    button.textContent = data.text.again;
  }

  function finish(text, kind) {
    say(text, kind);
    button.hidden = true;
    done.hidden = false;
  }

  function poll(until) {
    fetch(data.status_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (answer) {
        if (answer.paid) { finish(data.text.paid, "ok"); return; }
        if (answer.status !== "pending") { finish(data.text.closed, "warn"); return; }
        next(until);
      })
      .catch(function () { next(until); });  /* a lost answer: ask again */
  }

  function next(until) {
    if (Date.now() < until) {
      setTimeout(function () { poll(until); }, POLL_EVERY_MS);
    } else {
      finish(data.text.later, "wait");
    }
  }

  function pay() {
    button.disabled = true;
    window.WeixinJSBridge.invoke("getBrandWCPayRequest", data.params, function (res) {
      var message = (res && res.err_msg) || "";
      if (message === "get_brand_wcpay_request:ok") {
        say(data.text.confirming, "wait");
        poll(Date.now() + POLL_FOR_MS);
      } else if (message === "get_brand_wcpay_request:cancel") {
        offerAgain(data.text.cancelled);
      } else {
        offerAgain(data.text.failed);
      }
    });
  }

  button.addEventListener("click", function () {
    if (window.WeixinJSBridge) { pay(); return; }
    /* WeChat injects the bridge after the page loads: wait for it, or say where to pay. */
    say(data.text.not_wechat, "warn");
    document.addEventListener("WeixinJSBridgeReady", function ready() {
      document.removeEventListener("WeixinJSBridgeReady", ready);
      result.hidden = true;
      pay();
    });
  });
})();
