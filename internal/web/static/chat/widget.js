// kindred's web chat widget. A website adds one tag:
//
//   <script src="https://desk.example/chat/widget.js" data-lang="sw" defer></script>
//
// and its visitors can chat with the desk. No framework and no build step.
// The widget lives in a shadow root, so the website's styles and the
// widget's never mix; its stylesheet comes from the desk beside this file.
//
// data-lang: "en" or "sw" (else the page's lang, else the browser's);
// data-transport: "auto" (WebSocket, else POST + Server-Sent Events) or
// "sse" (the fallback only).
//
// Accessibility: the messages are a log (a polite live region), so a screen
// reader hears new ones without losing its place; every control has a
// label; Escape closes the chat and gives focus back to the button that
// opened it; "Larger text" and the language are remembered.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.kindredChat) { return; }
  var desk = new URL(script.src, location.href).origin;
  var store = "kindred-chat:" + desk;
  var LIMIT = 2000;

  var words = {
    en: {
      open: "Chat with us", title: "Chat with us", close: "Close", larger: "Larger text",
      other: "Kiswahili", otherLang: "sw",
      hello: "Hello! Write to us here and someone from our desk will answer.",
      log: "Messages", you: "You", desk: "The desk", message: "Your message", send: "Send",
      sending: "Sending…", sent: "Sent", notSent: "Not sent", typing: "{name} is typing…",
      count: "{n} of {limit} characters", unread: "{n} new",
      contactSummary: "Leave a phone number or email, so we can answer if you leave",
      name: "Your name (optional)", contact: "Phone number or email", save: "Save",
      bySMS: "If you leave the chat, we will answer by SMS to {to}.",
      byEmail: "If you leave the chat, we will answer by email to {to}.",
      tooLong: "Your message has {n} characters. Please keep it to {limit}, or send it in parts.",
      empty: "Write a message first.",
      slow: "You are sending messages very quickly. Please wait {s} seconds and try again.",
      badContact: "That does not look like a phone number or an email address. Write a phone number with its country code, like +254 712 345 678.",
      offline: "We cannot reach the desk just now. We keep trying; your message is still in the box.",
      refused: "This website cannot use the desk's chat.",
      failed: "Something went wrong. Please try again."
    },
    sw: {
      open: "Ongea nasi", title: "Ongea nasi", close: "Funga", larger: "Herufi kubwa",
      other: "English", otherLang: "en",
      hello: "Habari! Tuandikie hapa na mhudumu wetu atakujibu.",
      log: "Ujumbe", you: "Wewe", desk: "Dawati", message: "Ujumbe wako", send: "Tuma",
      sending: "Inatuma…", sent: "Imetumwa", notSent: "Haijatumwa", typing: "{name} anaandika…",
      count: "Herufi {n} kati ya {limit}", unread: "{n} mpya",
      contactSummary: "Acha namba ya simu au barua pepe, ili tukujibu ukiondoka",
      name: "Jina lako (si lazima)", contact: "Namba ya simu au barua pepe", save: "Hifadhi",
      bySMS: "Ukiondoka kwenye gumzo, tutakujibu kwa SMS kupitia {to}.",
      byEmail: "Ukiondoka kwenye gumzo, tutakujibu kwa barua pepe kupitia {to}.",
      tooLong: "Ujumbe wako una herufi {n}. Tafadhali usizidi herufi {limit}, au utume kwa sehemu.",
      empty: "Andika ujumbe kwanza.",
      slow: "Unatuma ujumbe kwa haraka sana. Tafadhali subiri sekunde {s} kisha ujaribu tena.",
      badContact: "Hiyo haionekani kuwa namba ya simu wala barua pepe. Andika namba ya simu pamoja na msimbo wa nchi, kama +254 712 345 678.",
      offline: "Hatuwezi kufikia dawati kwa sasa. Tunaendelea kujaribu; ujumbe wako bado uko kwenye kisanduku.",
      refused: "Tovuti hii haiwezi kutumia gumzo la dawati.",
      failed: "Kuna hitilafu. Tafadhali jaribu tena."
    }
  };

  function load(key) { try { return localStorage.getItem(store + ":" + key); } catch (e) { return null; } }
  function keep(key, v) { try { localStorage.setItem(store + ":" + key, v); } catch (e) { /* private mode: this page only */ } }

  function pickLang() {
    var l = load("lang") || script.getAttribute("data-lang") || document.documentElement.lang || navigator.language || "en";
    return String(l).toLowerCase().indexOf("sw") === 0 ? "sw" : "en";
  }

  var state = {
    lang: pickLang(), large: load("large") === "1", token: load("token") || "",
    cursor: 0, seen: {}, unread: 0, open: false, transport: null, pending: {}, n: 0, lastTyping: 0
  };

  function t(key, vars) {
    var s = (words[state.lang] || words.en)[key] || words.en[key] || key;
    return s.replace(/\{(\w+)\}/g, function (_, k) {
      var v = vars && vars[k];
      return typeof v === "number" ? v.toLocaleString(state.lang === "sw" ? "sw-KE" : "en-GB") : String(v);
    });
  }

  // el makes an element: el("p", {class: "x", text: "…"}, children…).
  function el(tag, attrs) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { e.textContent = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
    });
    for (var i = 2; i < arguments.length; i++) { if (arguments[i]) { e.appendChild(arguments[i]); } }
    return e;
  }

  // The widget's parts, in a shadow root.
  var host = el("div", { id: "kindred-chat" });
  var root = host.attachShadow({ mode: "open" });
  var css = el("link", { rel: "stylesheet", href: desk + "/chat/widget.css" });
  var box = el("div", { class: "kc" });
  var launch = el("button", { type: "button", class: "kc-launch", "aria-expanded": "false", "aria-controls": "kc-panel" });
  var launchText = el("span", {});
  var badge = el("span", { class: "kc-badge", hidden: "" });
  launch.appendChild(launchText);
  launch.appendChild(badge);
  var title = el("h2", { id: "kc-title", class: "kc-title" });
  var langBtn = el("button", { type: "button", class: "kc-tool kc-lang" });
  var sizeBtn = el("button", { type: "button", class: "kc-tool kc-size", "aria-pressed": "false" });
  var closeBtn = el("button", { type: "button", class: "kc-tool kc-close" });
  var hello = el("p", { class: "kc-hello" });
  // The log is a live region around a list: role="log" on the list itself
  // would take away its list semantics.
  var log = el("ol", { class: "kc-list" });
  var logBox = el("div", { class: "kc-log", role: "log", "aria-live": "polite", "aria-labelledby": "kc-log-label", tabindex: "0" }, log);
  var logLabel = el("span", { id: "kc-log-label", class: "kc-hidden" });
  var typing = el("p", { class: "kc-typing", role: "status" });
  var alert = el("p", { class: "kc-error", role: "alert" });
  var form = el("form", { class: "kc-form", novalidate: "" });
  var label = el("label", { for: "kc-input", class: "kc-label" });
  var input = el("textarea", { id: "kc-input", rows: "3", "aria-describedby": "kc-count" });
  var count = el("span", { id: "kc-count", class: "kc-count" });
  var sendBtn = el("button", { type: "submit", class: "kc-send" });
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(el("div", { class: "kc-row" }, count, sendBtn));
  var details = el("details", { class: "kc-contact" });
  var summary = el("summary", {});
  var cform = el("form", { class: "kc-cform", novalidate: "" });
  var nameLabel = el("label", { for: "kc-name" });
  var nameIn = el("input", { id: "kc-name", type: "text", autocomplete: "name" });
  var contactLabel = el("label", { for: "kc-contact-in" });
  var contactIn = el("input", { id: "kc-contact-in", type: "text", autocomplete: "email", inputmode: "email" });
  var saveBtn = el("button", { type: "submit", class: "kc-save" });
  var contactStatus = el("p", { class: "kc-contact-status", role: "status" });
  cform.appendChild(el("p", { class: "kc-field" }, nameLabel, nameIn));
  cform.appendChild(el("p", { class: "kc-field" }, contactLabel, contactIn));
  cform.appendChild(saveBtn);
  details.appendChild(summary);
  details.appendChild(cform);
  details.appendChild(contactStatus);
  var panel = el("section", { id: "kc-panel", class: "kc-panel", "aria-labelledby": "kc-title", hidden: "" },
    el("header", { class: "kc-head" }, title, el("div", { class: "kc-tools" }, langBtn, sizeBtn, closeBtn)),
    hello, logLabel, logBox, typing, alert, form, details);
  box.appendChild(panel);
  box.appendChild(launch);
  root.appendChild(css);
  root.appendChild(box);

  // words puts every string in the chosen language; the messages keep theirs.
  function relabel() {
    box.setAttribute("lang", state.lang);
    launchText.textContent = t("open");
    title.textContent = t("title");
    langBtn.textContent = t("other");
    langBtn.setAttribute("lang", t("otherLang"));
    sizeBtn.textContent = t("larger");
    closeBtn.textContent = t("close");
    hello.textContent = t("hello");
    logLabel.textContent = t("log");
    label.textContent = t("message");
    sendBtn.textContent = t("send");
    summary.textContent = t("contactSummary");
    nameLabel.textContent = t("name");
    contactLabel.textContent = t("contact");
    saveBtn.textContent = t("save");
    var items = log.querySelectorAll("li");
    for (var i = 0; i < items.length; i++) { relabelItem(items[i]); }
    showCount();
    showUnread();
    showReplyBy();
  }

  function setLarge(on) {
    state.large = on;
    box.classList.toggle("kc-large", on);
    sizeBtn.setAttribute("aria-pressed", on ? "true" : "false");
    keep("large", on ? "1" : "0");
    toLatest();
  }

  // toLatest scrolls the messages to the newest, after the layout settles.
  function toLatest() {
    requestAnimationFrame(function () { logBox.scrollTop = logBox.scrollHeight; });
  }

  function showCount() {
    var n = Array.from(input.value.trim()).length;
    count.textContent = t("count", { n: n, limit: LIMIT });
    count.classList.toggle("kc-over", n > LIMIT);
  }

  function showUnread() {
    badge.hidden = state.unread === 0;
    badge.textContent = state.unread ? " (" + t("unread", { n: state.unread }) + ")" : "";
  }

  var replyBy = null;
  function showReplyBy() {
    if (!replyBy || !replyBy.reply_by) { contactStatus.textContent = ""; return; }
    contactStatus.textContent = t(replyBy.reply_by === "sms" ? "bySMS" : "byEmail", { to: replyBy.to });
  }

  function timeOf(at) {
    var d = new Date(at);
    return isNaN(d) ? "" : d.toLocaleTimeString(state.lang === "sw" ? "sw-KE" : "en-GB", { hour: "2-digit", minute: "2-digit" });
  }

  // item is one message in the log: who, what, when.
  function item(m, mine) {
    var li = el("li", { class: "kc-msg " + (m.from === "agent" ? "kc-agent" : "kc-visitor") });
    li.dataset.from = m.from;
    li.dataset.agent = m.agent || "";
    var who = el("span", { class: "kc-who" });
    var body = el("p", { class: "kc-body", text: m.body });
    var meta = el("span", { class: "kc-meta" });
    li.appendChild(who);
    li.appendChild(body);
    li.appendChild(meta);
    if (m.id) { li.id = "kc-m-" + m.id; li.dataset.id = m.id; }
    if (m.at) { li.dataset.at = m.at; }
    if (mine) { li.dataset.state = mine; }
    relabelItem(li);
    return li;
  }

  function relabelItem(li) {
    var who = li.querySelector(".kc-who");
    who.textContent = (li.dataset.from === "agent" ? (li.dataset.agent || t("desk")) : t("you")) + ": ";
    var meta = li.querySelector(".kc-meta");
    var when = li.dataset.at ? timeOf(li.dataset.at) : "";
    var st = li.dataset.state ? t(li.dataset.state) : "";
    meta.textContent = [when, st].filter(Boolean).join(" · ");
  }

  // show adds a message from the desk's record, once.
  function show(m) {
    if (!m || !m.id || state.seen[m.id]) { return; }
    state.seen[m.id] = true;
    state.cursor = Math.max(state.cursor, m.id);
    log.appendChild(item(m));
    toLatest();
    if (m.from === "agent") {
      typing.textContent = "";
      if (m.ack) { send({ type: "ack", message_id: m.id }); }
      if (!state.open && m.ack) { state.unread++; showUnread(); }
    }
  }

  function say(text) {
    alert.textContent = "";
    if (text) { setTimeout(function () { alert.textContent = text; }, 50); }
  }

  function errorText(f) {
    switch (f.code) {
      case "too_long": return t("tooLong", { n: f.length || 0, limit: f.limit || LIMIT });
      case "empty": return t("empty");
      case "rate_limited": return t("slow", { s: f.retry_after || 5 });
      case "invalid_contact": return t("badContact");
      case "origin": return t("refused");
    }
    return t("failed");
  }

  // receive handles one frame from the desk.
  function receive(f) {
    switch (f.type) {
      case "welcome":
        if (f.token) { state.token = f.token; keep("token", f.token); }
        (f.messages || []).forEach(show);
        if (f.reply_by) { replyBy = f; showReplyBy(); }
        break;
      case "message":
        show(f.message);
        break;
      case "stored":
        var li = state.pending[f.id];
        delete state.pending[f.id];
        if (f.message && state.seen[f.message.id]) {
          // The stream showed it first: keep that one, and say it is sent.
          if (li) { li.remove(); }
          var shown = log.querySelector('[data-id="' + f.message.id + '"]');
          if (shown) { shown.dataset.state = "sent"; relabelItem(shown); }
          break;
        }
        if (li && f.message) {
          state.seen[f.message.id] = true;
          state.cursor = Math.max(state.cursor, f.message.id);
          li.id = "kc-m-" + f.message.id;
          li.dataset.id = f.message.id;
          li.dataset.at = f.message.at;
          li.dataset.state = "sent";
          relabelItem(li);
        }
        break;
      case "typing":
        typing.textContent = t("typing", { name: f.agent || t("desk") });
        clearTimeout(state.typingTimer);
        state.typingTimer = setTimeout(function () { typing.textContent = ""; }, 6000);
        break;
      case "contact":
        replyBy = f;
        showReplyBy();
        break;
      case "error":
        if (f.id && state.pending[f.id]) {
          var p = state.pending[f.id];
          delete state.pending[f.id];
          p.dataset.state = "notSent";
          relabelItem(p);
          if (!input.value) { input.value = p.querySelector(".kc-body").textContent; showCount(); }
        }
        say(errorText(f));
        break;
    }
  }

  // Transports. Each has send(frame) and reports frames to receive.

  function wsURL() { return desk.replace(/^http/, "ws") + "/chat/ws"; }

  function webSocket(onFail) {
    var ws, opened = false, queue = [], closed = false;
    function open() {
      ws = new WebSocket(wsURL());
      ws.onopen = function () {
        opened = true;
        retry = 1000;
        ws.send(JSON.stringify({ type: "hello", token: state.token, after: state.cursor }));
        queue.splice(0).forEach(function (f) { ws.send(JSON.stringify(f)); });
        say("");
      };
      ws.onmessage = function (ev) { try { receive(JSON.parse(ev.data)); } catch (e) { /* not ours */ } };
      ws.onclose = function () {
        if (closed) { return; }
        if (!opened) { closed = true; onFail(queue.splice(0)); return; }
        say(t("offline"));
        setTimeout(open, retry);
        retry = Math.min(retry * 2, 15000);
      };
    }
    var retry = 1000;
    open();
    return {
      send: function (f) {
        if (ws && ws.readyState === 1) { ws.send(JSON.stringify(f)); } else { queue.push(f); }
      }
    };
  }

  function fallback() {
    var es = null;
    function post(f) {
      return fetch(desk + "/chat/frames", {
        method: "POST", mode: "cors", credentials: "omit",
        headers: { "Content-Type": "application/json", "X-Kindred-Visitor": state.token },
        body: JSON.stringify(f)
      }).then(function (res) {
        return res.json().then(function (b) { (b.frames || []).forEach(receive); return res.ok; });
      });
    }
    function listen() {
      if (es || !state.token) { return; }
      es = new EventSource(desk + "/chat/events?token=" + encodeURIComponent(state.token) + "&after=" + state.cursor);
      es.onmessage = function (ev) { try { receive(JSON.parse(ev.data)); } catch (e) { /* not ours */ } };
      es.onopen = function () { say(""); };
      es.onerror = function () { if (es.readyState !== 1) { say(t("offline")); } };
    }
    var ready = post({ type: "hello", token: state.token, after: state.cursor }).then(listen, function () { say(t("offline")); });
    return {
      send: function (f) {
        ready.then(function () {
          return post(f).catch(function () {
            if (f.type === "message") { receive({ type: "error", id: f.id, code: "offline" }); say(t("offline")); }
          });
        });
      }
    };
  }

  function connect() {
    if (state.transport) { return; }
    if (script.getAttribute("data-transport") === "sse" || !window.WebSocket) {
      state.transport = fallback();
      return;
    }
    // When the WebSocket cannot open at all (a proxy that refuses it), the
    // fallback takes over, with whatever was waiting to be sent.
    state.transport = webSocket(function (waiting) {
      var fb = fallback();
      state.transport = fb;
      waiting.forEach(fb.send);
    });
  }

  function send(f) { if (state.transport) { state.transport.send(f); } }

  // Behaviour.

  function openPanel() {
    state.open = true;
    panel.hidden = false;
    launch.setAttribute("aria-expanded", "true");
    state.unread = 0;
    showUnread();
    connect();
    toLatest();
    input.focus();
  }

  function closePanel() {
    state.open = false;
    panel.hidden = true;
    launch.setAttribute("aria-expanded", "false");
    launch.focus();
  }

  launch.addEventListener("click", function () { if (state.open) { closePanel(); } else { openPanel(); } });
  closeBtn.addEventListener("click", closePanel);
  box.addEventListener("keydown", function (e) { if (e.key === "Escape" && state.open) { e.preventDefault(); closePanel(); } });
  sizeBtn.addEventListener("click", function () { setLarge(!state.large); });
  langBtn.addEventListener("click", function () {
    state.lang = t("otherLang");
    keep("lang", state.lang);
    relabel();
    langBtn.focus();
  });

  input.addEventListener("input", function () {
    showCount();
    var now = Date.now();
    if (input.value && now - state.lastTyping > 3000) {
      state.lastTyping = now;
      send({ type: "typing" });
    }
  });
  input.addEventListener("keydown", function (e) {
    // Enter sends; Shift+Enter starts a new line.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var body = input.value.trim();
    var n = Array.from(body).length;
    if (!body) { say(t("empty")); input.focus(); return; }
    if (n > LIMIT) { say(t("tooLong", { n: n, limit: LIMIT })); input.focus(); return; }
    var id = "c" + (++state.n);
    var li = item({ from: "visitor", body: body }, "sending");
    state.pending[id] = li;
    log.appendChild(li);
    logBox.scrollTop = logBox.scrollHeight;
    input.value = "";
    showCount();
    say("");
    connect();
    send({ type: "message", id: id, body: body });
    state.lastTyping = 0; // the next words are a new message: say so at once
  });

  cform.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!contactIn.value.trim()) { say(t("badContact")); contactIn.focus(); return; }
    connect();
    send({ type: "contact", contact: contactIn.value, name: nameIn.value });
  });

  setLarge(state.large);
  relabel();
  css.addEventListener("load", function () { box.classList.add("kc-ready"); });
  document.body.appendChild(host);
  window.kindredChat = { open: openPanel, close: closePanel };
  // A returning visitor hears the desk's answers even before opening the chat.
  if (state.token) { connect(); }
})();
