// Behaviour that would otherwise be inline event handlers, which the Content-Security-Policy forbids.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});
