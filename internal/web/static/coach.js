// The live coach: as the agent types a reply, ask the server for the coach
// panel (debounced) and show it. The server renders the panel; this file
// only fetches and places it. The coach advises and never blocks sending:
// the send button works whatever happens here. Without JavaScript the
// "Check my reply" button renders the same panel with the whole page.
(function () {
  "use strict";
  var form = document.getElementById("reply-form");
  var reply = document.getElementById("reply");
  var coach = document.getElementById("coach");
  if (!form || !reply || !coach) { return; }
  var base = form.getAttribute("data-base");
  var timer = null;
  var inflight = null;
  var last = null;

  function post(path, body) {
    return fetch(base + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body
    }).then(function (res) {
      if (!res.ok) { throw new Error("coach: " + res.status); }
      return res.text();
    });
  }

  function update() {
    var draft = reply.value;
    if (draft === last) { return; }
    last = draft;
    if (inflight) { inflight.abort = true; }
    var mine = { abort: false };
    inflight = mine;
    post("/coach", new URLSearchParams({ body: draft }).toString()).then(function (html) {
      if (mine.abort) { return; }
      coach.innerHTML = html;
    }).catch(function () { /* the coach is advice: stay quiet if it fails */ });
  }

  reply.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(update, 300);
  });

  // "Explain it again, more simply" without leaving the page.
  var simpler = document.getElementById("simpler");
  if (simpler) {
    simpler.addEventListener("click", function (ev) {
      ev.preventDefault();
      post("/simpler", new URLSearchParams({ body: reply.value }).toString()).then(function (html) {
        var box = document.getElementById("simpler-box");
        if (box) { box.innerHTML = html; wireUse(); }
      }).catch(function () {});
    });
  }

  // "Use this in my reply" copies the plainer version into the draft.
  function wireUse() {
    var use = document.getElementById("use-simpler");
    var text = document.getElementById("simpler-text");
    if (!use || !text) { return; }
    use.hidden = false;
    use.addEventListener("click", function () {
      reply.value = (reply.value ? reply.value.replace(/\s+$/, "") + "\n\n" : "") + text.textContent;
      reply.focus();
      reply.dispatchEvent(new Event("input"));
    });
  }
  wireUse();
})();
