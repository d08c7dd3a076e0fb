// Irreversible actions ask first. A form with data-confirm="question" is
// submitted only after the person agrees; no inline script, so it works
// under the site's strict Content-Security-Policy. Without JavaScript the
// form submits as before (the server-side checks still apply).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (!question || form.dataset.confirmed === "yes") return;
    if (!window.confirm(question)) {
      event.preventDefault();
      return;
    }
    form.dataset.confirmed = "yes";
  }, true);
  // A link with data-confirm (e.g. to a confirmation page) asks too.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-confirm]") : null;
    if (link && !window.confirm(link.getAttribute("data-confirm"))) event.preventDefault();
  }, true);
})();
