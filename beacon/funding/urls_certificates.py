"""The staff pages of funding: certificates (mounted under /funding/ by beacon/funding/urls.py)."""

from django.urls import path

from beacon.funding import views_certificates as views

urlpatterns = [
    path("certificates/", views.certificate_year, name="certificates"),
    path("certificates/issue/", views.certificate_issue, name="certificates_issue"),
    path("certificates/send/", views.certificate_send, name="certificates_send"),
    path(
        "certificates/declaration/",
        views.certificate_declaration,
        name="certificates_declaration",
    ),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
]
