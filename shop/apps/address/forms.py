from oscar.apps.address.forms import AbstractAddressForm
from oscar.apps.address.forms import UserAddressForm as CoreUserAddressForm
from oscar.forms.mixins import PhoneNumberMixin

from checkout.forms import USAddressFormMixin


class UserAddressForm(USAddressFormMixin, PhoneNumberMixin, AbstractAddressForm):
    """The address book's form: the same US address as the checkout's."""

    class Meta(CoreUserAddressForm.Meta):
        fields = USAddressFormMixin.US_FIELDS

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.user = user
