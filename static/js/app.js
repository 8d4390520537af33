// Site behaviour. No inline scripts (CSP). Focus the error summary after a failed submit.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("form-errors");
  if (summary) { summary.focus(); }
  document.querySelectorAll("[data-copy-target]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var el = document.getElementById(btn.getAttribute("data-copy-target"));
      if (el && navigator.clipboard) { navigator.clipboard.writeText(el.textContent.trim()); }
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
});
// Changing the sort order re-runs the search (the form has a submit button for keyboard users too).
document.addEventListener("change", function (event) {
  if (event.target && event.target.id === "sort" && event.target.form) { event.target.form.submit(); }
});
