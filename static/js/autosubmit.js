// <select data-autosubmit> submits its form when changed (replaces inline
// onchange="this.form.submit()", which the Content-Security-Policy blocks).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  });
})();
