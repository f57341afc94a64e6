// The desk page follows the queue. live.js hears the lobby's news on the
// console's event stream and fires "kindred:lobby"; this fetches the
// waiting list again and swaps it in, and the status line says how many
// wait. While the officer is changing a ticket in the list (a box ticked,
// not yet saved) nothing is swapped: the status line offers the latest
// instead, so a half-made change is never lost. Focus stays on the control
// it was on.
(function () {
  "use strict";
  var live = document.getElementById("desk-live");
  var notice = document.getElementById("desk-notice");
  if (!live || !notice) { return; }
  var url = live.getAttribute("data-live");
  var dirty = false;
  var timer = null;

  live.addEventListener("change", function () { dirty = true; });
  live.addEventListener("submit", function () { dirty = false; });

  function count() {
    var el = document.getElementById("waiting-count");
    return el ? el.textContent : "";
  }

  function numbers() {
    return Array.prototype.map.call(live.querySelectorAll("tr[data-number]"), function (tr) {
      return tr.getAttribute("data-number");
    });
  }

  // swap puts the new list in, keeps focus where it was, and says what is
  // new: "New ticket: B-003. 1 waiting".
  function swap(html) {
    var focused = document.activeElement;
    var id = focused && live.contains(focused) ? focused.id : "";
    var before = count();
    var had = numbers();
    live.innerHTML = html;
    dirty = false;
    if (id && document.getElementById(id)) { document.getElementById(id).focus(); }
    var fresh = numbers().filter(function (n) { return had.indexOf(n) < 0; });
    var text = fresh.length ? (notice.getAttribute("data-new") || "New ticket: %s.").replace("%s", fresh.join(", ")) + " " : "";
    if (fresh.length || count() !== before) { notice.textContent = text + count(); }
  }

  function offer() {
    notice.textContent = (notice.getAttribute("data-changed") || "The queue has changed.") + " ";
    var b = document.createElement("button");
    b.type = "button";
    b.id = "desk-show-latest";
    b.textContent = notice.getAttribute("data-show") || "Show the latest";
    b.addEventListener("click", function () { dirty = false; refresh(); });
    notice.appendChild(b);
  }

  function refresh() {
    if (dirty) { offer(); return; }
    var req = new XMLHttpRequest();
    req.open("GET", url);
    req.onload = function () {
      if (req.status !== 200) { return; }
      if (dirty) { offer(); return; }
      swap(req.responseText);
    };
    req.send();
  }

  // A burst of news (a desk calling and the near SMS marked) is one fetch.
  document.addEventListener("kindred:lobby", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 200);
  });
}());
