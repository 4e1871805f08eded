// Reloads an open request page when its history moves, unless the
// operator is typing in one of its forms. Without JavaScript the page
// simply does not update by itself.
(function () {
  var body = document.body;
  var id = body.getAttribute("data-live");
  if (!id) { return; }
  var version = body.getAttribute("data-version");
  var typing = false;
  document.addEventListener("input", function () { typing = true; });
  setInterval(function () {
    if (typing) { return; }
    fetch("/ui/requests/" + encodeURIComponent(id) + "/version", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : version; })
      .then(function (v) { if (v !== version) { location.reload(); } })
      .catch(function () {});
  }, 3000);
})();
