import oscar.apps.address.apps as apps


class AddressConfig(apps.AddressConfig):
    """Oscar's address app, forked for one thing: the address book's form is the checkout's US
    address form (shop/apps/address/forms.py, checkout/forms.py)."""

    name = "shop.apps.address"
