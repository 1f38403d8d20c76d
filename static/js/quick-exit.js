// Quick exit: leave for a neutral site and replace this page's history entry, so the back
// button does not bring the visitor (or someone looking over their shoulder) back here.
// Without JavaScript the link still works as a plain link.
(function () {
  "use strict";
  function leave(event) {
    var link = document.querySelector("[data-quick-exit]");
    if (!link) { return; }
    if (event) { event.preventDefault(); }
    document.body.hidden = true;
    window.location.replace(link.href);
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-quick-exit]")) { leave(event); }
  });
  // Pressing Escape three times in a row also leaves, for when the mouse is too far away.
  var presses = 0, timer = null;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    presses += 1;
    clearTimeout(timer);
    timer = setTimeout(function () { presses = 0; }, 1000);
    if (presses >= 3) { leave(event); }
  });
})();
