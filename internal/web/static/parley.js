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
// away by someone else's change. The part says it changed instead. An
// unfolded form of a clause (data-open-form) counts as editing, as does a
// field whose value the reader changed.
document.addEventListener("htmx:beforeRequest", function (e) {
  var el = e.detail && e.detail.elt;
  if (!el || !el.matches || !el.matches("[data-keep-edits]")) return;
  var editing = el.querySelector("[data-open-form]") !== null ||
    Array.prototype.some.call(el.querySelectorAll("textarea, input[type=text], input:not([type])"), function (f) {
      return f.value !== f.defaultValue;
    });
  if (editing) {
    e.preventDefault();
    var note = el.querySelector("[data-changed-notice]");
    if (note) note.hidden = false;
  }
});

// While the edit form of a memorandum's clause is open (data-editing, with
// data-memo, data-clause and data-lang), the page tells the server, every
// 20 seconds, so that the others see who is editing what. A form opens
// with the page (open=…, or sent back) or is fetched in place of its
// clause; when it goes (cancelled, or the clause fetched again) or is
// sent, the page says the reader stopped. The last form opened is the
// one told.
(function () {
  var told = null, beat = null, seen = new WeakSet();
  function tell(el, editing) {
    var url = "/memos/" + encodeURIComponent(el.dataset.memo) + "/editing";
    var body = new URLSearchParams({ clause: editing ? el.dataset.clause : "", lang: editing ? el.dataset.lang : "" });
    // Stopping is often told as the page goes (a form sent): a beacon
    // outlives the page.
    if (!editing && navigator.sendBeacon && navigator.sendBeacon(url, body)) return;
    fetch(url, { method: "POST", body: body, credentials: "same-origin" }).catch(function () {});
  }
  function follow(el) {
    if (el === told) return;
    clearInterval(beat);
    if (told && !el) tell(told, false);
    told = el;
    if (el) {
      tell(el, true);
      beat = setInterval(function () { tell(el, true); }, 20000);
    }
  }
  function check() {
    var open = document.querySelectorAll("[data-editing]"), fresh = null;
    open.forEach(function (el) {
      if (!seen.has(el)) { seen.add(el); fresh = el; }
    });
    if (fresh) follow(fresh);
    else if (told && !told.isConnected) follow(open[open.length - 1] || null);
  }
  document.addEventListener("DOMContentLoaded", check);
  document.addEventListener("htmx:afterSettle", check);
  document.addEventListener("submit", function (e) {
    if (told && told.contains(e.target)) follow(null); // a form sent back opens again with the answer
  });
})();

// A form marked data-upload-progress (a list file, which may be large) is
// sent by script, so that its <progress> shows how much of the file has
// gone; the answer then takes the page's place, as a form sent without
// script would. The address stays the page's own when the answer is a
// page (a report, or the form with its errors: sending the form again is
// the only way back to it), and becomes the one redirected to otherwise.
// Without script, or where the request cannot be made, the form is sent
// as usual.
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (e.defaultPrevented || !form.matches || !form.matches("form[data-upload-progress]") || !window.FormData) return;
  e.preventDefault();
  if (form.dataset.sending) return; // one file at a time
  var data = new FormData(form);
  if (e.submitter && e.submitter.name) data.append(e.submitter.name, e.submitter.value);
  var bar = form.querySelector("progress"), buttons = form.querySelectorAll("button");
  function busy(on) {
    if (on) form.dataset.sending = "1";
    else delete form.dataset.sending;
    buttons.forEach(function (b) { b.disabled = on; });
    if (bar) {
      bar.hidden = !on;
      bar.value = 0;
    }
  }
  var xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.upload.addEventListener("progress", function (p) {
    if (bar && p.lengthComputable && p.total > 0) bar.value = Math.round(100 * p.loaded / p.total);
  });
  // The file has gone; the server reads and checks it.
  xhr.upload.addEventListener("load", function () {
    if (bar) bar.removeAttribute("value");
  });
  xhr.addEventListener("load", function () {
    var sent = new URL(form.action, location.href).href, got = xhr.responseURL;
    var html = xhr.responseText;
    // The live stream of the page goes with it.
    if (window.htmx) document.querySelectorAll("[sse-connect]").forEach(function (el) {
      window.htmx.trigger(el, "htmx:beforeCleanupElement");
    });
    // The page's fragment (#lists) would scroll the answer away from its
    // top, where a page sent without script shows its report.
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
    document.open();
    document.write(html);
    document.close();
    if (got && got !== sent) history.replaceState(null, "", got);
    // The answer is read from its top, as a page loaded anew.
    var top = function () { window.scrollTo(0, 0); };
    top();
    window.addEventListener("load", top, { once: true });
  });
  xhr.addEventListener("error", function () {
    busy(false);
    HTMLFormElement.prototype.submit.call(form);
  });
  busy(true);
  xhr.send(data);
});
