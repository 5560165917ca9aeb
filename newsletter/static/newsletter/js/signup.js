/* Newsletter sign-up in place: post with fetch and show the answer in the form's live region.
   Without this script the form posts as usual and the server answers with a page. */
(function () {
  "use strict";
  // The partial may be on a page twice (footer and article): listen once.
  if (window.qlNewsletterSignup || !window.fetch || !window.FormData) { return; }
  window.qlNewsletterSignup = true;

  function show(form, text, failed) {
    var message = form.querySelector(".newsletter-signup__message");
    var input = form.querySelector("input[name='email']");
    message.textContent = text;
    message.classList.toggle("newsletter-signup__message--error", failed);
    if (failed) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
    } else {
      input.removeAttribute("aria-invalid");
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-newsletter-signup]")) { return; }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") { return; }
    var button = form.querySelector("button[type='submit']");
    form.setAttribute("aria-busy", "true");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "omit"
    })
      .then(function (response) {
        return response.json().then(function (data) {
          show(form, data.message, !response.ok);
        });
      })
      .catch(function () {
        // Offline or an unexpected answer: let the browser post the form the ordinary way.
        form.submit();
      })
      .then(function () {
        form.removeAttribute("aria-busy");
        button.disabled = false;
      });
  });
})();
