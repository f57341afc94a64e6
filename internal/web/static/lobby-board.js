// The lobby board: every few seconds, fetch the board's changing part and
// swap it in. When a ticket is newly called, say so in the live region and,
// once someone has turned announcements on (browsers let a page speak only
// after a person has pressed something), read it aloud in the page's
// language: "Ticket A-014, desk 3".
(function () {
  "use strict";
  var live = document.getElementById("board-live");
  var announcer = document.getElementById("board-announcer");
  var button = document.getElementById("announce");
  if (!live) { return; }
  var url = live.getAttribute("data-live");
  var lang = document.documentElement.lang || "en";
  var speak = false;
  var seen = {};

  function calls() {
    return Array.prototype.slice.call(live.querySelectorAll("li.call[data-key]"));
  }
  calls().forEach(function (li) { seen[li.getAttribute("data-key")] = true; });

  if (button && window.speechSynthesis) {
    button.hidden = false;
    button.addEventListener("click", function () {
      speak = !speak;
      button.setAttribute("aria-pressed", speak ? "true" : "false");
      if (speak) { say(button.textContent.trim(), false); }
    });
  }

  function say(text, show) {
    if (show && announcer) { announcer.textContent = text; }
    if (!speak || !window.speechSynthesis) { return; }
    var u = new SpeechSynthesisUtterance(text);
    u.lang = lang === "sw" ? "sw-KE" : "en-GB";
    u.rate = 0.9;
    window.speechSynthesis.speak(u);
  }

  function refresh() {
    var req = new XMLHttpRequest();
    req.open("GET", url);
    req.onload = function () {
      if (req.status !== 200) { return; }
      live.innerHTML = req.responseText;
      // Oldest first, so that two calls are read in the order they came.
      calls().reverse().forEach(function (li) {
        var key = li.getAttribute("data-key");
        if (seen[key]) { return; }
        seen[key] = true;
        say(li.getAttribute("data-say"), true);
      });
    };
    req.send();
  }
  window.kindredBoardRefresh = refresh;
  window.setInterval(refresh, 3000);
}());
