/* The payment page: Stripe's Payment Element, then one last server check, then Stripe.js
   confirms the payment (3-D Secure included) and sends the shopper to our return view.
   All data comes from data- attributes on #payment-form: no inline script. */
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form || typeof window.Stripe !== "function") { return; }

  var button = document.getElementById("pay-button");
  var message = document.getElementById("payment-message");
  var stripe = window.Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({
    clientSecret: form.dataset.clientSecret,
    appearance: {
      theme: "stripe",
      variables: { colorPrimary: "#b34700", colorText: "#1d2b30", borderRadius: "10px" }
    }
  });
  var paymentElement = elements.create("payment", {
    defaultValues: { billingDetails: { email: form.dataset.email || "" } }
  });
  paymentElement.on("ready", function () {
    var loading = form.querySelector(".payment-element__loading");
    if (loading) { loading.remove(); }
    button.disabled = false;
  });
  paymentElement.mount("#payment-element");

  function showError(text) {
    message.textContent = text;
    message.hidden = false;
    message.focus();
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }

  function prepare() {
    // The server checks the basket is frozen and still costs what the PaymentIntent is for,
    // and stores the newsletter choice. It never receives card details.
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "XMLHttpRequest" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.error || "Something went wrong. Nothing was charged; please try again.");
          error.reload = Boolean(data.reload);
          throw error;
        }
        return data;
      });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (button.disabled) { return; }
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    message.hidden = true;
    elements.submit().then(function (result) {
      if (result.error) { throw result.error; }
      return prepare();
    }).then(function () {
      return stripe.confirmPayment({
        elements: elements,
        confirmParams: { return_url: form.dataset.returnUrl }
      });
    }).then(function (result) {
      // Only reached when the payment failed at once (declined card, invalid details):
      // otherwise Stripe.js has already sent the shopper to the return URL.
      if (result && result.error) { showError(result.error.message); }
    }).catch(function (error) {
      showError(error.message || "Something went wrong. Nothing was charged; please try again.");
      if (error.reload) { window.setTimeout(function () { window.location.reload(); }, 2500); }
    });
  });
})();
