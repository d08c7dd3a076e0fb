// Trims static/vendor/bootstrap/bootstrap.min.css (232 KB) to the selectors
// our pages use. Run `npm run build:css` after adding Bootstrap classes to a
// template, and commit static/css/bootstrap.trimmed.css with the change;
// tests/ops/test_page_weight.py fails when a template uses a Bootstrap class
// the trimmed file lacks.
module.exports = {
  css: ["static/vendor/bootstrap/bootstrap.min.css"],
  content: [
    "templates/**/*.html",
    "static/js/**/*.js",
    // Classes set in Python (table attrs, form widgets) and by the packages'
    // own templates (crispy-bootstrap5 forms, django-tables2 tables).
    "{afterschool,enrollment,scheduling,billing,overview}/**/*.py",
    ".venv/lib/python3*/site-packages/crispy_bootstrap5/templates/**/*.html",
    ".venv/lib/python3*/site-packages/django_tables2/templates/django_tables2/bootstrap5*.html",
    ".venv/lib/python3*/site-packages/django_tables2/templates/django_tables2/bootstrap.html",
    ".venv/lib/python3*/site-packages/django_tables2/templates/django_tables2/table.html",
    // Django's own widgets write type="{{ widget.type }}": name the input
    // types so .form-check-input[type=radio] (the round box and its dot) stays.
    { raw: '<input type="radio"><input type="checkbox">', extension: "html" },
  ],
  // Classes Bootstrap's JavaScript adds at run time, and the prefixes
  // templates build from a variable (btn-{{ colour }}, alert-{{ tags }}).
  safelist: {
    standard: [
      "show", "showing", "hiding", "collapse", "collapsing", "collapsed", "fade",
      "active", "disabled", "was-validated", "is-invalid", "is-valid",
      "dropdown-menu-end", "dropdown-menu-start",
      /^btn-/, /^alert-/, /^text-bg-/, /^table-/, /^htmx-/,
    ],
    deep: [/^dropdown-menu/, /^navbar/],
  },
  // Keep Bootstrap's custom properties and keyframes (used through var()).
  variables: false,
  keyframes: true,
  fontFace: true,
};
