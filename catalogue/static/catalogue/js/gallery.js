/* The product gallery (catalogue/templates/oscar/catalogue/partials/gallery.html), without a library:
   a thumbnail button shows its image; arrow keys, Home and End move between the thumbnails. */
(function () {
  "use strict";
  var gallery = document.getElementById("product_gallery");
  if (!gallery) { return; }
  var thumbs = Array.prototype.slice.call(gallery.querySelectorAll(".gallery__thumb"));
  if (thumbs.length < 2) { return; }

  function slideFor(thumb) {
    return document.getElementById(thumb.getAttribute("aria-controls"));
  }

  function show(index) {
    thumbs.forEach(function (thumb, i) {
      var active = i === index;
      thumb.setAttribute("aria-pressed", String(active));
      slideFor(thumb).classList.toggle("is-active", active);
    });
  }

  function warm(thumb) {  // start loading the full image as soon as the shopper aims at it
    var img = slideFor(thumb).querySelector("img");
    if (img && img.loading === "lazy") { img.loading = "eager"; }
  }

  thumbs.forEach(function (thumb, index) {
    thumb.addEventListener("click", function () { show(index); });
    thumb.addEventListener("pointerenter", function () { warm(thumb); });
    thumb.addEventListener("focus", function () { warm(thumb); });
    thumb.addEventListener("keydown", function (event) {
      var next = { ArrowRight: index + 1, ArrowDown: index + 1, ArrowLeft: index - 1, ArrowUp: index - 1,
                   Home: 0, End: thumbs.length - 1 }[event.key];
      if (next === undefined) { return; }
      event.preventDefault();
      next = (next + thumbs.length) % thumbs.length;
      show(next);
      thumbs[next].focus();
    });
  });
})();
