"""Oscar's review views and form with the store's changes, found by Oscar's class loader
(get_class("catalogue.reviews.views", ...) looks in the forked catalogue app first); the reviews
app itself, its models and moderation stay Oscar's."""
