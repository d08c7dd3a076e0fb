/* After a form comes back with errors, bring the first one into view and put
   the cursor in its field, so a parent on a phone does not have to look for
   it below a long text. Loaded only by pages with such forms (no inline
   script under the Content-Security-Policy). Runs once the page has loaded,
   after the browser's own scroll to the form's #anchor. */
(function () {
  "use strict";
  function show() {
    var field = document.querySelector("form .is-invalid, form [aria-invalid=true]");
    var error = field || document.querySelector("form .invalid-feedback, form .alert-danger");
    if (!error) return;
    var box = error.closest(".mb-3, .form-check, .alert") || error;
    box.scrollIntoView({ block: "center" });
    if (field && typeof field.focus === "function") field.focus({ preventScroll: true });
  }
  if (document.readyState === "complete") show();
  else window.addEventListener("load", show);
})();
