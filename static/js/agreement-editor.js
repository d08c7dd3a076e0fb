// Agreement template editor: a click on a placeholder button inserts
// "{{ name }}" at the cursor in the body textarea (no inline script: CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert]");
    if (!button) return;
    var area = document.getElementById(button.getAttribute("data-target") || "id_body");
    if (!area) return;
    event.preventDefault();
    var text = button.getAttribute("data-insert");
    var start = area.selectionStart, end = area.selectionEnd;
    area.value = area.value.slice(0, start) + text + area.value.slice(end);
    area.focus();
    area.selectionStart = area.selectionEnd = start + text.length;
  });
})();
