"""The demo store's sales-tax rates (seed_demo). Demo data, not advice: a real store enters the
states where it has nexus, and their current rates, under Sales tax > Rates (docs/tax.md)."""

from decimal import Decimal

from tax.models import LocalRate, RateChange, StateRate

DEMO_RATES = [
    {
        "state": "NY",
        "collects": True,
        "rate": Decimal("4"),
        "shipping_taxable": True,
        # New York City: 4% state + 4.5% city + 0.375% MCTD.
        "local": [("100", "New York City"), ("101", "New York City"), ("102", "New York City")],
        "local_rate": Decimal("8.875"),
    },
    {"state": "CA", "collects": True, "rate": Decimal("7.25"), "shipping_taxable": False},
    # Oregon has no sales tax: listed so staff see it was considered, not forgotten.
    {"state": "OR", "collects": False, "rate": Decimal("0"), "shipping_taxable": False},
]


def seed_demo_rates():
    """Add the demo states that are missing; a state staff already have is left as it is."""
    for spec in DEMO_RATES:
        spec = dict(spec)
        local, local_rate = spec.pop("local", []), spec.pop("local_rate", None)
        rate, created = StateRate.objects.get_or_create(state=spec.pop("state"), defaults=spec)
        if not created:
            continue
        for prefix, name in local:
            LocalRate.objects.create(state_rate=rate, zip_prefix=prefix, name=name, rate=local_rate)
        RateChange.objects.create(state=rate.state, summary=f"Added {rate.name} with the demo data (seed_demo).")
