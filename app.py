"""photojobs API: registers the blueprints (routes, auth and error mapping: chalicelib/api)."""

from chalice import Chalice

from chalicelib.api import (
    auth,
    communication_profiles,
    contractees,
    galleries,
    jobs,
    messages,
    openapi,
    orders,
    photos,
    pricing,
    shop,
    shop_cart,
    shop_webhooks,
    subjects,
)

app = Chalice(app_name="photojobs")
app.experimental_feature_flags.update(["BLUEPRINTS"])

for blueprint in (
    auth.routes,
    jobs.routes,
    contractees.routes,
    photos.routes,
    galleries.routes,
    subjects.routes,
    pricing.routes,
    orders.routes,
    shop.routes,
    shop_cart.routes,
    shop_webhooks.routes,
    communication_profiles.routes,
    messages.routes,
    openapi.routes,
):
    app.register_blueprint(blueprint)
