/* Roll call: the save button says 「全部到齐，保存点名」 only while every
   child on the roll is marked present (到), and 「保存点名」 once one is
   absent, late or on leave. Each tap is saved by htmx, which swaps that
   child's row (its data-status) without reloading: the words follow the
   rows after every swap. The server renders the same rule
   (scheduling.attendance.selectors.Roll.all_present); the words come from
   the button's data-* attributes, not from here.
   Static file: the CSP allows no inline script. */
(function () {
  "use strict";
  var button = document.getElementById("roll-save");
  var roll = document.getElementById("roll");
  if (!button || !roll) return;

  function update() {
    var rows = roll.querySelectorAll("li[data-status]");
    var allPresent = Array.prototype.every.call(rows, function (row) {
      return row.dataset.status === "present";
    });
    var words = allPresent ? button.dataset.allPresent : button.dataset.notAllPresent;
    if (words && button.textContent !== words) button.textContent = words;
  }

  document.body.addEventListener("htmx:afterSettle", update);
  update();
})();
