/* Click-to-play: the provider's player is created only when the visitor asks for it, so no
   request reaches YouTube or Vimeo before the click. Without JavaScript the link opens the video. */
(function () {
  "use strict";
  function play(event) {
    var facade = event.target.closest(".video-facade");
    if (!facade || !facade.dataset.embedUrl) { return; }
    event.preventDefault();
    var iframe = document.createElement("iframe");
    iframe.src = facade.dataset.embedUrl;
    iframe.title = facade.dataset.title || "Video";
    iframe.allow = "accelerometer; autoplay; encrypted-media; gyroscope; picture-in-picture; fullscreen";
    iframe.allowFullscreen = true;
    iframe.referrerPolicy = "strict-origin-when-cross-origin";
    iframe.className = "video-frame";
    facade.replaceWith(iframe);
    iframe.focus();
  }
  // Several panels on one page may each include this script: listen once.
  if (document.documentElement.hasAttribute("data-video-facade")) { return; }
  document.documentElement.setAttribute("data-video-facade", "");
  document.addEventListener("click", play);
})();
