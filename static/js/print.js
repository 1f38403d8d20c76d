// The print button only works with JavaScript, so it is hidden until this runs; without it,
// the page tells people to use the browser's own print command.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
