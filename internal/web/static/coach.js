// The live coach: as the agent types a reply, ask the server for the coach
// panel (debounced) and show it. The server renders the panel; this file
// only fetches and places it. The coach advises and never blocks sending:
// the send button works whatever happens here. Without JavaScript the
// "Check my reply" button renders the same panel with the whole page.
//
// Each request carries a sequence number, and only the answer to the
// latest one is shown: an answer for an older draft that arrives late is
// dropped. A request that fails on the network or with a server error is
// tried once more; if that fails too, the panel says so, politely, and the
// next change to the draft asks again.
(function () {
  "use strict";
  var form = document.getElementById("reply-form");
  var reply = document.getElementById("reply");
  var coach = document.getElementById("coach");
  if (!form || !reply || !coach) { return; }
  var base = form.getAttribute("data-base");

  var debounceMS = 300;   // wait for a pause in typing
  var retryMS = 1000;     // before the one retry
  var timeoutMS = 20000;  // a request that takes longer has failed

  var timer = null;
  var seq = 0;            // the number of the latest request
  var pending = null;     // the draft the latest request is about, while it runs
  var shown = null;       // the draft the panel shows
  var controller = null;  // aborts the latest request when a newer one starts

  // post sends a form body to base+path and resolves to the HTML answer. It
  // rejects with err.retry set when trying again may help (network error,
  // server error), and without it otherwise (aborted, timed out, signed out).
  function post(path, body, signal) {
    return fetch(base + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body,
      signal: signal
    }).then(function (res) {
      // A redirect means the session ended (to the sign-in page): its HTML
      // is no coach panel.
      if (!res.ok || res.redirected) {
        var err = new Error(path + ": HTTP " + res.status);
        err.retry = res.status >= 500 || res.status === 429;
        throw err;
      }
      return res.text();
    }, function (e) {
      var err = new Error(path + ": " + (e && e.message));
      err.retry = !(e && e.name === "AbortError");
      throw err;
    });
  }

  // postRetry is post, tried once more after retryMS when that may help.
  function postRetry(path, body, signal, current) {
    return post(path, body, signal).catch(function (err) {
      if (!err.retry || !current()) { throw err; }
      return new Promise(function (resolve) { setTimeout(resolve, retryMS); }).then(function () {
        if (!current()) { throw new Error(path + ": superseded"); }
        return post(path, body, signal);
      });
    });
  }

  // unavailable says, in the panel, that the coach could not read the draft.
  function unavailable() {
    var status = document.getElementById("coach-status");
    if (!status) {
      status = document.createElement("p");
      status.id = "coach-status";
      status.className = "coach-status";
      var heading = document.getElementById("coach-heading");
      if (heading && heading.parentNode === coach) {
        coach.insertBefore(status, heading.nextSibling);
      } else {
        coach.insertBefore(status, coach.firstChild);
      }
    }
    status.textContent = coach.getAttribute("data-unavailable") ||
      "The coach is unavailable; you can still send.";
  }

  function update() {
    timer = null;
    var draft = reply.value;
    if (draft === pending || (pending === null && draft === shown)) { return; }
    if (controller) { controller.abort(); }
    var mine = ++seq;
    var current = function () { return mine === seq; };
    var ctl = window.AbortController ? new AbortController() : null;
    controller = ctl;
    pending = draft;
    var timeout = ctl ? setTimeout(function () { ctl.abort(); }, timeoutMS) : null;
    postRetry("/coach", new URLSearchParams({ body: draft }).toString(), ctl && ctl.signal, current)
      .then(function (html) {
        if (!current()) { return; } // an answer about an older draft
        coach.innerHTML = html;
        shown = draft;
      }, function (err) {
        if (!current()) { return; }
        if (window.console) { console.error("coach: " + err.message); }
        unavailable();
      })
      .then(function () {
        if (timeout) { clearTimeout(timeout); }
        if (current()) { pending = null; controller = null; }
      });
  }

  reply.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(update, debounceMS);
  });

  // "Explain it again, more simply" without leaving the page.
  var simpler = document.getElementById("simpler");
  var box = document.getElementById("simpler-box");
  if (simpler && box) {
    simpler.addEventListener("click", function (ev) {
      ev.preventDefault();
      var always = function () { return true; };
      postRetry("/simpler", new URLSearchParams({ body: reply.value }).toString(), null, always).then(function (html) {
        box.innerHTML = html;
        wireUse();
      }, function (err) {
        if (window.console) { console.error("simpler: " + err.message); }
        var p = document.createElement("p");
        p.id = "simpler-text";
        p.textContent = simpler.getAttribute("data-unavailable") ||
          "A plainer version could not be made just now. Please try again.";
        box.replaceChildren(p);
      });
    });
  }

  // "Use this in my reply" copies the plainer version into the draft, and
  // selects its first [gap], so that the agent types straight over it.
  function wireUse() {
    var use = document.getElementById("use-simpler");
    var text = document.getElementById("simpler-text");
    if (!use || !text) { return; }
    use.hidden = false;
    use.addEventListener("click", function () {
      // The text without what is there for screen readers only.
      var copy = text.cloneNode(true);
      copy.querySelectorAll(".visually-hidden").forEach(function (e) { e.remove(); });
      var plain = copy.textContent;
      var start = reply.value ? reply.value.replace(/\s+$/, "") + "\n\n" : "";
      reply.value = start + plain;
      reply.focus();
      var gap = /\[[^\[\]\n]+\]/.exec(plain);
      if (gap) {
        reply.setSelectionRange(start.length + gap.index, start.length + gap.index + gap[0].length);
      }
      reply.dispatchEvent(new Event("input"));
    });
  }
  wireUse();
})();
