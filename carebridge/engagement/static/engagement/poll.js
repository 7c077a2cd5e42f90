// Live counts on a poll's page: the counts are read again every 15 seconds while it is open.
(function () {
  var script = document.currentScript;
  var url = script && script.dataset.counts;
  if (!url || !window.fetch) return;
  function refresh() {
    fetch(url, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        document.querySelectorAll("[data-votes]").forEach(function (el) {
          var n = data.options[el.dataset.votes];
          if (n !== undefined) el.textContent = n;
        });
      })
      .catch(function () {});
  }
  setInterval(refresh, 15000);
})();
