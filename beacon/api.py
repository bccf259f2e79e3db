"""The REST API under /api/v1/: one NinjaAPI, one router per app, personal-token auth."""

from ninja import NinjaAPI

api = NinjaAPI(title="Beacon API", version="1", urls_namespace="api")
