// The ticket's print button: shown only where scripts run, as printing
// needs them; without it the browser's own print still works.
(function () {
  "use strict";
  var button = document.getElementById("print-ticket");
  if (!button || typeof window.print !== "function") {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
})();
