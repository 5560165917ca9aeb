from oscar.apps.basket import apps


class CartConfig(apps.BasketConfig):
    """Oscar's basket app (its models and other views unchanged) with the store's cart page
    (checkout/cart.py). Only the view differs, so the app is not forked: same name, same models."""

    # pylint: disable=attribute-defined-outside-init
    def ready(self):
        super().ready()
        from checkout.cart import CartView  # models are loaded by now

        self.summary_view = CartView
