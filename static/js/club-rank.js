/* Club choice: tap a club card to rank it. A tap gives the card the next
   free choice (第一志愿, then 第二, 第三); a second tap takes it back and the
   later choices move up (the server refuses gaps). The three select boxes
   stay the form's fields and the fallback without JavaScript: the cards only
   write into them, and follow them when a box is changed by hand.
   Each card's toggle is a real button with aria-pressed; the rank is shown
   as text in the card and the ranking is read out by a polite live region.
   Words come from the page (labels and data-* attributes), not from here.
   Static file: the CSP allows no inline script. */
(function () {
  "use strict";
  var form = document.getElementById("choice-form");
  var cards = document.querySelectorAll(".club-card[data-club]");
  if (!form || !cards.length) return;
  var selects = [];
  for (var i = 1; form.elements["rank" + i]; i += 1) selects.push(form.elements["rank" + i]);
  if (!selects.length) return;
  var labels = selects.map(function (sel) {
    var label = form.querySelector('label[for="' + sel.id + '"]');
    return label ? label.textContent.replace(/[*\s]+$/, "").trim() : "";
  });
  var bar = document.querySelector("[data-rank-bar]");
  var status = document.getElementById("club-rank-status");

  function offered(value) {
    return Array.prototype.some.call(selects[0].options, function (o) { return o.value === value; });
  }
  function ranking() {
    return selects.map(function (sel) { return sel.value; }).filter(function (v) { return v !== ""; });
  }
  function write(list) {
    selects.forEach(function (sel, n) { sel.value = list[n] || ""; });
  }
  function nameOf(id) {
    var card = document.querySelector('.club-card[data-club="' + id + '"]');
    return card ? card.dataset.name : "";
  }
  function summary(list) {
    if (!bar) return "";
    if (!list.length) return bar.dataset.empty;
    return bar.dataset.chosen + list.map(function (id, n) {
      return labels[n] + " " + nameOf(id);
    }).join("；");
  }
  function show(list, note) {
    cards.forEach(function (card) {
      var n = list.indexOf(card.dataset.club);
      var button = card.querySelector("[data-rank-toggle]");
      var label = card.querySelector("[data-rank-label]");
      card.classList.toggle("is-ranked", n >= 0);
      if (button) button.setAttribute("aria-pressed", n >= 0 ? "true" : "false");
      if (label) label.textContent = n >= 0 ? labels[n] : "";
    });
    if (status) status.textContent = (note ? note + " " : "") + summary(list);
  }
  function toggle(id) {
    if (!offered(id)) return;
    var list = ranking();
    var note = "";
    if (list.indexOf(id) >= 0) {
      list = list.filter(function (v) { return v !== id; });
      note = bar ? bar.dataset.removed + nameOf(id) + "。" : "";
    } else if (list.length >= selects.length) {
      show(list, bar ? bar.dataset.full : "");
      return;
    } else {
      list.push(id);
    }
    write(list);
    show(list, note);
  }

  cards.forEach(function (card) {
    var button = card.querySelector("[data-rank-toggle]");
    if (!button || !offered(card.dataset.club)) return;
    button.hidden = false;
    card.classList.add("is-tappable");
    // The whole card is the target on a phone; the button is the same
    // action for the keyboard and screen readers (the click bubbles here).
    card.addEventListener("click", function (event) {
      if (event.target.closest("a, select, input, textarea")) return;
      toggle(card.dataset.club);
    });
  });
  selects.forEach(function (sel) {
    sel.addEventListener("change", function () { show(ranking(), ""); });
  });
  document.querySelectorAll("[data-rank-hint]").forEach(function (el) { el.hidden = false; });
  if (bar) bar.hidden = false;
  show(ranking(), "");
})();
