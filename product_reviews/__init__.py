"""Reviews beyond Oscar's: the "verified buyer" flag, and the email that asks a customer for a
review some days after their order was delivered (with a one-click opt-out).

Oscar's reviews app (oscar.apps.catalogue.reviews) keeps the reviews themselves, its form and its
moderation; the product page shows them (catalogue/product_page.py).
"""
