// Passkeys: registering one (the account's passkeys page), signing in with
// one (the login page), and signing a formal act with one (forms marked
// data-sign, with the box "sign with my passkey" ticked). Without script,
// or in a browser without WebAuthn, forms are sent as they are: acts go
// unsigned, and the passkey forms stay hidden or explain why.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) return;

  function dec(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s), a = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) a[i] = bin.charCodeAt(i);
    return a.buffer;
  }
  function enc(buf) {
    var a = new Uint8Array(buf), s = "";
    for (var i = 0; i < a.length; i++) s += String.fromCharCode(a[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function creation(o) {
    var pk = o.publicKey;
    if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(pk);
    pk.challenge = dec(pk.challenge);
    pk.user.id = dec(pk.user.id);
    (pk.excludeCredentials || []).forEach(function (c) { c.id = dec(c.id); });
    return pk;
  }
  function request(o) {
    var pk = o.publicKey;
    if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(pk);
    pk.challenge = dec(pk.challenge);
    (pk.allowCredentials || []).forEach(function (c) { c.id = dec(c.id); });
    return pk;
  }
  function json(cred) {
    if (cred.toJSON) return JSON.stringify(cred.toJSON());
    var r = cred.response, out = { id: cred.id, rawId: enc(cred.rawId), type: cred.type, clientExtensionResults: {}, response: { clientDataJSON: enc(r.clientDataJSON) } };
    if (r.attestationObject) {
      out.response.attestationObject = enc(r.attestationObject);
      if (r.getTransports) out.response.transports = r.getTransports();
    } else {
      out.response.authenticatorData = enc(r.authenticatorData);
      out.response.signature = enc(r.signature);
      if (r.userHandle) out.response.userHandle = enc(r.userHandle);
    }
    return JSON.stringify(out);
  }
  // options asks the server for a ceremony's options; for an act, the same
  // form is sent with the header that makes the server only prepare it.
  function options(url, form, prepare) {
    var init = { method: "POST", credentials: "same-origin", headers: {} };
    if (form) init.body = new URLSearchParams(new FormData(form));
    if (prepare) init.headers["Parley-Sign"] = "prepare";
    return fetch(url, init).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error(body.message || res.statusText);
        return body;
      });
    });
  }
  function fail(form, err) {
    var p = form.querySelector("[data-passkey-error]");
    if (!p) return;
    var msg = err && err.name === "NotAllowedError" ? p.getAttribute("data-cancelled") : (err && err.message) || "";
    p.textContent = (p.getAttribute("data-failed") || "") + (msg ? " " + msg : "");
    p.hidden = false;
  }
  function busy(form, on) {
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = on; });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches) return;
    if (form.matches("[data-passkey-register]")) {
      e.preventDefault();
      busy(form, true);
      options("/account/passkeys/options").then(function (o) {
        return navigator.credentials.create({ publicKey: creation(o) });
      }).then(function (cred) {
        form.elements.response.value = json(cred);
        form.submit();
      }).catch(function (err) { busy(form, false); fail(form, err); });
    } else if (form.matches("[data-passkey-login]")) {
      e.preventDefault();
      busy(form, true);
      options("/login/passkey/options").then(function (o) {
        return navigator.credentials.get({ publicKey: request(o) });
      }).then(function (cred) {
        form.elements.response.value = json(cred);
        form.submit();
      }).catch(function (err) { busy(form, false); fail(form, err); });
    } else if (form.matches("[data-sign]")) {
      var box = form.elements.sign, field = form.elements.passkey_assertion;
      if (!box || !box.checked || !field) return; // sent unsigned
      e.preventDefault();
      busy(form, true);
      options(form.action, form, true).then(function (o) {
        return navigator.credentials.get({ publicKey: request(o) });
      }).then(function (cred) {
        field.value = json(cred);
        form.submit();
      }).catch(function (err) { busy(form, false); fail(form, err); });
    }
  }, true);

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-passkey-login]").forEach(function (f) { f.hidden = false; });
  });
})();
