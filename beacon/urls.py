"""URL map: staff UI at the root, the REST API under /api/v1/, Django admin for administrators."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from beacon.api import api
from beacon.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("cases/", include("beacon.cases.urls")),
    path("people/", include("beacon.people.urls")),
    path("core/", include("beacon.core.urls")),
    path("line/", include("beacon.line.urls")),
    path("risk/", include("beacon.risk.urls")),
    path("hotline/", include("beacon.reports.urls")),
    path("matching/", include("beacon.matching.urls")),
    path("network/", include("beacon.network.urls")),
    path("notices/", include("beacon.alerts.urls")),
    path("prevention/", include("beacon.prevention.urls")),
    path("funding/", include("beacon.funding.urls")),
    path("figures/", include("beacon.figures.urls")),
    # The public report form: no staff session, nothing stored that identifies a visitor.
    path("report/", include("beacon.reports.public_urls")),
    # Search notices' public pages, feeds and published photos (withdrawn: 410 Gone).
    path("missing/", include("beacon.alerts.public_urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
