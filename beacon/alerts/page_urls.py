"""Public pages of search notices, their published files and recipients' confirmations, under
/missing/ (namespace "missing", see public_urls.py). The paths are those beacon/alerts/links.py
writes into posters, e-mails and feeds: change both together."""

from django.urls import path

from beacon.alerts import public_views

urlpatterns: list = [
    path("", public_views.start, name="start"),
    path("files/<str:public_id>/<str:filename>", public_views.published_file, name="file"),
    path("confirm/<str:token>/", public_views.confirm, name="confirm"),
    path("<str:lang>/", public_views.notice_list, name="list"),
    path("<str:lang>/<str:public_id>/", public_views.notice_page, name="notice"),
]
