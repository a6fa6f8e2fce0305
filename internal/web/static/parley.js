// Parley's few lines of script; every page works without them.
document.addEventListener("change", function (e) {
  var el = e.target;
  if (el.matches && el.matches("select[data-autosubmit]")) el.form.submit();
  if (el.matches && el.matches("select[data-kind-select]")) showKind(el);
});

// A proposal form shows the fields of the chosen kind only; without
// script, all are shown and those of other kinds are ignored.
function showKind(select) {
  var form = select.form;
  form.classList.add("js-kinds");
  form.querySelectorAll(".kind-only").forEach(function (el) {
    el.hidden = !el.classList.contains("kind-" + select.value);
  });
}
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-kind-select]").forEach(showKind);
});
