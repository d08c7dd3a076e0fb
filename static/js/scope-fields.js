/* A form with a "scope" select (全校 / 年级 / 班级) shows only the field the
   chosen scope needs: the grade for a grade, the class for a class. Fields
   name the scope they belong to with data-scope-field="grade" on their
   wrapper (crispy's div_id_<name>, marked by the form's data-scope-fields
   attribute). Without JavaScript every field stays visible and the server
   ignores the ones the scope does not use. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-scope-fields]").forEach(function (form) {
    var select = form.querySelector("select[name=scope]");
    if (!select) return;
    // data-scope-fields="grade:grade class:school_class"
    var pairs = form.getAttribute("data-scope-fields").split(/\s+/).map(function (p) {
      return p.split(":");
    });
    function update() {
      pairs.forEach(function (pair) {
        var wrapper = form.querySelector("#div_id_" + pair[1]);
        if (wrapper) wrapper.hidden = select.value !== pair[0];
      });
    }
    select.addEventListener("change", update);
    update();
  });
})();
