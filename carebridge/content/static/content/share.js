// Share to a friend / Moments with the article's title, summary, link and cover. Inside WeChat
// the page has the JS-SDK (window.wx); elsewhere (a browser, offline) this does nothing.
(function () {
  var data = document.getElementById("share-data");
  if (!data || !window.wx) return;
  var share = JSON.parse(data.textContent);
  var url = share.config + "?url=" + encodeURIComponent(location.href.split("#")[0]);
  fetch(url, {credentials: "same-origin"})
    .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
    .then(function (config) {
      wx.config({
        debug: false, appId: config.appId, timestamp: config.timestamp,
        nonceStr: config.nonceStr, signature: config.signature,
        jsApiList: ["updateAppMessageShareData", "updateTimelineShareData"]
      });
      wx.ready(function () {
        var item = {title: share.title, desc: share.desc, link: share.link, imgUrl: share.imgUrl};
        wx.updateAppMessageShareData(item);
        wx.updateTimelineShareData({title: share.title, link: share.link, imgUrl: share.imgUrl});
      });
    })
    .catch(function () { /* sharing falls back to WeChat's default card */ });
})();
