from oscar.apps.checkout import utils


class CheckoutSessionData(utils.CheckoutSessionData):
    """Oscar's checkout session, plus the PaymentIntent the shopper is paying."""

    def set_payment_intent_id(self, intent_id):
        self._set("payment", "intent_id", intent_id)

    def get_payment_intent_id(self):
        return self._get("payment", "intent_id")
