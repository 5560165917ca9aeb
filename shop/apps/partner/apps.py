import oscar.apps.partner.apps as apps


class PartnerConfig(apps.PartnerConfig):
    name = "shop.apps.partner"

    def ready(self):
        super().ready()
        from django.db.models.signals import post_save

        from shop.apps.partner.receivers import send_product_alerts

        # In place of Oscar's (OSCAR_EAGER_ALERTS is off in the settings): see receivers.py.
        post_save.connect(send_product_alerts, sender=self.get_model("StockRecord"), dispatch_uid="shop-product-alerts")
