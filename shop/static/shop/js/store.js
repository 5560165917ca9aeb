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

/* The header's account menu (a <details>): closes on Escape and on a click outside it. */
(function () {
  "use strict";
  var menus = document.querySelectorAll(".account-menu__details");
  if (!menus.length) { return; }
  document.addEventListener("click", function (event) {
    menus.forEach(function (menu) {
      if (menu.open && !menu.contains(event.target)) { menu.open = false; }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    menus.forEach(function (menu) {
      if (menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  });
})();

/* Bootstrap's data-toggle="dropdown" and data-toggle="collapse", which some of Oscar's templates
   still use, without Bootstrap's JavaScript: the menu or panel gets "show" and the control
   aria-expanded. Pages that do not use them pay for two listeners. */
(function () {
  "use strict";
  function menuOf(toggle) {
    var parent = toggle.parentElement;
    return parent && parent.querySelector(".dropdown-menu");
  }
  function closeAll(except) {
    document.querySelectorAll('[data-toggle="dropdown"][aria-expanded="true"]').forEach(function (toggle) {
      if (toggle === except) { return; }
      var menu = menuOf(toggle);
      if (menu) { menu.classList.remove("show"); }
      toggle.setAttribute("aria-expanded", "false");
    });
  }
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest('[data-toggle="dropdown"], [data-toggle="collapse"]');
    if (!toggle) {
      closeAll(null);
      return;
    }
    event.preventDefault();
    var panel;
    if (toggle.getAttribute("data-toggle") === "dropdown") {
      closeAll(toggle);
      panel = menuOf(toggle);
    } else {
      var selector = toggle.getAttribute("data-target") || toggle.getAttribute("href");
      panel = selector && selector.charAt(0) === "#" ? document.querySelector(selector) : null;
    }
    if (!panel) { return; }
    var open = panel.classList.toggle("show");
    toggle.setAttribute("aria-expanded", String(open));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeAll(null); }
  });
})();
