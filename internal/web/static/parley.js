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

// While an edit form of a memorandum's clause is open, the page tells the
// server, every 20 seconds, so that the others see who is editing what;
// closing the form says it stopped.
(function () {
  var beat = null;
  function tell(memo, clause, lang) {
    var body = new URLSearchParams({ clause: clause || "", lang: lang || "" });
    fetch("/memos/" + memo + "/editing", { method: "POST", body: body, credentials: "same-origin" }).catch(function () {});
  }
  document.addEventListener("toggle", function (e) {
    var d = e.target;
    if (!d.matches || !d.matches("details")) return;
    var form = d.querySelector('form[action*="/text"]');
    var memo = form && (form.getAttribute("action").match(/^\/memos\/([^/]+)\/text/) || [])[1];
    if (!memo) return;
    var clause = form.querySelector("input[name=clause]").value;
    var lang = form.querySelector("input[name=lang]").value;
    clearInterval(beat);
    if (d.open) {
      tell(memo, clause, lang);
      beat = setInterval(function () { tell(memo, clause, lang); }, 20000);
    } else {
      tell(memo, "", "");
    }
  }, true);
})();
