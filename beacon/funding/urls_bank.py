"""The staff pages of funding: bank (mounted under /funding/ by beacon/funding/urls.py)."""

from django.urls import path

from beacon.funding import views_bank as views

urlpatterns: list = [
    path("bank/", views.bank_page, name="bank"),
    path("bank/statements/<int:pk>/", views.bank_statement, name="bank_statement"),
    path("bank/queue/", views.bank_queue, name="bank_queue"),
    path("bank/lines/<int:pk>/resolve/", views.bank_line_resolve, name="bank_line_resolve"),
    path("bank/lines/<int:pk>/ignore/", views.bank_line_ignore, name="bank_line_ignore"),
]
