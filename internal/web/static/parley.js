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

// A live part marked data-keep-edits (a memorandum) is not fetched again
// while the reader is editing in it: a text being written is never swept
// away by someone else's change. The part says it changed instead.
document.addEventListener("htmx:beforeRequest", function (e) {
  var el = e.detail && e.detail.elt;
  if (!el || !el.matches || !el.matches("[data-keep-edits]")) return;
  var editing = Array.prototype.some.call(el.querySelectorAll("textarea, input[type=text], input:not([type])"), function (f) {
    return f.value !== f.defaultValue || (f.closest("details") && f.closest("details").open);
  });
  if (editing) {
    e.preventDefault();
    var note = el.querySelector("[data-changed-notice]");
    if (note) note.hidden = false;
  }
});
