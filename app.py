"""photojobs API: registers the blueprints (routes, auth and error mapping: chalicelib/api)."""

from chalice import Chalice

from chalicelib.api import (
    auth,
    contractees,
    galleries,
    jobs,
    openapi,
    photos,
    pricing,
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
    openapi.routes,
):
    app.register_blueprint(blueprint)
