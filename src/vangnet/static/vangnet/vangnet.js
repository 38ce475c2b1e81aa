// Behaviour that would otherwise be inline event handlers, which the Content-Security-Policy forbids.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});

// A poll that fails (a server error, a lost connection) says so instead of showing progress
// for ever: the element names its message in data-failed.
["htmx:responseError", "htmx:sendError"].forEach(function (name) {
  document.addEventListener(name, function (event) {
    var element = event.detail && event.detail.elt;
    if (element && element.dataset && element.dataset.failed) {
      var message = document.createElement("p");
      message.className = "msg error";
      message.setAttribute("role", "alert");
      message.textContent = element.dataset.failed;
      element.replaceChildren(message);
    }
  });
});
