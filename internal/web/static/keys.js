// Keyboard shortcuts for people who answer many conversations: j and k move
// through the inbox, r goes to the reply box, Ctrl+Enter (⌘+Enter) sends
// the reply, ? opens the list of shortcuts. Single keys never act while
// typing in a field, and can be turned off (WCAG 2.2, 2.1.4): the choice is
// kept in this browser.
(function () {
  "use strict";
  var OFF = "kindred-single-keys-off";
  var help = document.getElementById("shortcuts");
  var toggle = document.getElementById("single-keys-toggle");

  function off() {
    try { return window.localStorage.getItem(OFF) === "1"; } catch (e) { return false; }
  }
  function showState() {
    if (!toggle) { return; }
    var isOff = off();
    toggle.setAttribute("aria-pressed", isOff ? "true" : "false");
    var state = document.getElementById("single-keys-state");
    if (state) { state.textContent = isOff ? state.getAttribute("data-off") : state.getAttribute("data-on"); }
  }
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      try { window.localStorage.setItem(OFF, off() ? "0" : "1"); } catch (e) { /* private mode: stays on */ }
      showState();
    });
    showState();
  }

  function typing(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function move(step) {
    var links = Array.prototype.slice.call(document.querySelectorAll("#inbox a.conversation-link"));
    if (links.length === 0) { return false; }
    var i = links.indexOf(document.activeElement);
    var next = i < 0 ? (step > 0 ? 0 : links.length - 1) : Math.min(Math.max(i + step, 0), links.length - 1);
    links[next].focus();
    return true;
  }

  document.addEventListener("keydown", function (ev) {
    // Ctrl+Enter sends the reply from the reply box, and Ctrl+Shift+Enter
    // sends it and opens the next person waiting: keys with a modifier, so
    // they are always on.
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey) && ev.target && ev.target.id === "reply") {
      var send = document.getElementById(ev.shiftKey ? "send-next" : "send");
      if (send) { ev.preventDefault(); send.click(); }
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target) || off()) { return; }
    var done = false;
    switch (ev.key) {
    case "j": done = move(1); break;
    case "k": done = move(-1); break;
    case "r":
      var reply = document.getElementById("reply");
      if (reply) { reply.focus(); done = true; }
      break;
    case "?":
      if (help) {
        help.open = true;
        var summary = help.querySelector("summary");
        if (summary) { summary.focus(); }
        done = true;
      }
      break;
    }
    if (done) { ev.preventDefault(); }
  });
}());
