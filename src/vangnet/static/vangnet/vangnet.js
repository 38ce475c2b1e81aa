// Behaviour that would otherwise be inline event handlers, which the Content-Security-Policy forbids.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});

// Narrow screens: the main menu folds behind a "Menu" button (without script it stays open).
document.addEventListener("DOMContentLoaded", function () {
  var header = document.querySelector("header.top");
  var toggle = header && header.querySelector(".menu-toggle");
  if (!toggle) return;
  var nav = header.querySelector("nav");
  header.classList.add("menu-js");
  toggle.addEventListener("click", function () {
    var open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
});

// Wide tables scroll inside their own region instead of widening the page. A region that
// really scrolls gets a tab stop and a name, so keyboard users can scroll it too.
function vangnetScrollRegions(root) {
  root.querySelectorAll("main table").forEach(function (table) {
    if (table.closest(".scroll")) return;
    var box = document.createElement("div");
    box.className = "scroll";
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
  });
  document.querySelectorAll("main .scroll").forEach(function (box) {
    if (box.scrollWidth > box.clientWidth) {
      if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
      if (!box.hasAttribute("role")) box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label")) {
        var caption = box.querySelector("caption");
        box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Tabel");
      }
    }
  });
}
document.addEventListener("DOMContentLoaded", function () { vangnetScrollRegions(document); });
window.addEventListener("resize", function () { vangnetScrollRegions(document); });
document.addEventListener("htmx:afterSwap", function () { vangnetScrollRegions(document); });
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
