// Live updates over Server-Sent Events. On a conversation page, a new
// message is added to the history and a polite notice says so; on the
// inbox, a notice offers to show the new state; on a desk page, news of
// the queue is passed on as a "kindred:lobby" event (lobby-desk.js).
// Nothing reloads by itself, so focus and half-typed replies are never lost.
(function () {
  "use strict";
  if (!window.EventSource) { return; }
  var conv = document.body.getAttribute("data-conversation");
  var lobby = document.body.getAttribute("data-lobby") === "1";
  var params = [];
  if (conv) {
    params.push("conversation=" + encodeURIComponent(conv));
    // The stream first sends what came after the page's last message:
    // anything added while the page was on its way is not missed.
    var last = 0;
    Array.prototype.forEach.call(document.querySelectorAll('#history [id^="message-"]'), function (el) {
      var n = parseInt(el.id.slice(8), 10);
      if (n > last) { last = n; }
    });
    if (last) { params.push("after=" + last); }
  }
  if (lobby) { params.push("lobby=1"); }
  var url = "/events" + (params.length ? "?" + params.join("&") : "");
  var notice = document.getElementById("live-notice");
  var history = document.getElementById("history");
  var inbox = document.getElementById("inbox");
  var fresh = 0;
  var es = new EventSource(url);

  function say(text) {
    if (notice) { notice.textContent = text; }
  }

  es.addEventListener("message", function (ev) {
    var data;
    try { data = JSON.parse(ev.data); } catch (e) { return; }
    if (!history || String(data.conversation_id) !== conv) { return; }
    if (document.getElementById("message-" + data.id)) { return; }
    var tmp = document.createElement("ol");
    tmp.innerHTML = data.html;
    var li = tmp.firstElementChild;
    if (!li) { return; }
    li.classList.add("fresh");
    history.appendChild(li);
    if (typing) { typing.textContent = ""; }
    fresh++;
    say(fresh === 1 ? (notice.getAttribute("data-single") || "1 new message") :
      (notice.getAttribute("data-many") || "%d new messages").replace("%d", fresh));
  });

  // A reply's delivery status (sent, delivered, failed) replaces the old
  // one in place; the status line is a polite live region, so a screen
  // reader hears it without losing its place.
  es.addEventListener("delivery", function (ev) {
    var data;
    try { data = JSON.parse(ev.data); } catch (e) { return; }
    var old = document.getElementById("delivery-" + data.id);
    if (!old) { return; }
    var tmp = document.createElement("div");
    tmp.innerHTML = data.html;
    var el = tmp.firstElementChild;
    if (el) { old.replaceWith(el); }
  });

  // A web chat visitor typing: said once while it lasts, then cleared.
  var typing = document.getElementById("typing-notice");
  var typingTimer = null;
  es.addEventListener("typing", function () {
    if (!typing) { return; }
    if (!typing.textContent) { typing.textContent = typing.getAttribute("data-text") || "Typing…"; }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { typing.textContent = ""; }, 6000);
  });

  // The queue changed: a desk page fetches it again (lobby-desk.js).
  es.addEventListener("lobby", function () {
    document.dispatchEvent(new CustomEvent("kindred:lobby"));
  });
  // So does each (re)opening of the stream: a ticket taken after the page
  // was drawn but before its stream was open, or while the connection was
  // lost, was news this page never heard.
  es.addEventListener("open", function () {
    if (lobby) { document.dispatchEvent(new CustomEvent("kindred:lobby")); }
  });

  es.addEventListener("inbox", function () {
    if (!inbox || !notice) { return; }
    notice.textContent = "";
    var a = document.createElement("a");
    a.href = window.location.pathname + window.location.search;
    a.textContent = notice.getAttribute("data-inbox") || "The inbox has changed. Show the latest.";
    notice.appendChild(a);
  });
})();
