/* Store-wide behaviour that needs no library: the phone menu. */
(function () {
  "use strict";
  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("site-nav");
  if (!toggle || !nav) { return; }
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", String(!open));
    nav.classList.toggle("is-open", !open);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && nav.classList.contains("is-open")) {
      toggle.setAttribute("aria-expanded", "false");
      nav.classList.remove("is-open");
      toggle.focus();
    }
  });
})();

/* Dismissable messages, without Bootstrap's JavaScript (not loaded on light pages). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var close = event.target.closest('[data-dismiss="alert"]');
    if (!close) { return; }
    var alert = close.closest(".alert");
    if (alert && !window.jQuery) {
      event.preventDefault();
      alert.remove();
    }
  });
})();
