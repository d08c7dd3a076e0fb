// Class review table: the header's select-all box ticks every row's box
// (rows still waiting for review have one). Static file: the CSP allows no
// inline script.
(function () {
  "use strict";
  function boxes(master) {
    var form = master.closest("form") || document;
    return form.querySelectorAll('input[type="checkbox"][name="' + master.dataset.selectAll + '"]');
  }
  function sync(master) {
    var all = boxes(master), ticked = 0;
    all.forEach(function (b) { if (b.checked) { ticked += 1; } });
    master.checked = all.length > 0 && ticked === all.length;
    master.indeterminate = ticked > 0 && ticked < all.length;
  }
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("[data-select-all]")) {
      boxes(el).forEach(function (b) { b.checked = el.checked; });
      return;
    }
    document.querySelectorAll("[data-select-all]").forEach(function (master) {
      if (el.name === master.dataset.selectAll) { sync(master); }
    });
  });
  // After htmx swapped a row in, the header box follows what is left.
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("[data-select-all]").forEach(sync);
  });
})();
