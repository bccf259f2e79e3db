from django.urls import path

from beacon.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("new/exploitation/", views.case_new_exploitation, name="new_exploitation"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/assess/", views.case_assess, name="assess"),
    path("<int:pk>/note/", views.case_note, name="note"),
    path("<int:pk>/close/", views.case_close, name="close"),
    path("<int:pk>/reopen/", views.case_reopen, name="reopen"),
    path("<int:pk>/facts/", views.case_facts, name="facts"),
    path("<int:pk>/support/", views.case_support, name="support"),
    path("<int:pk>/takedowns/", views.case_takedown, name="takedown"),
    path(
        "<int:pk>/takedowns/<int:takedown_pk>/", views.takedown_progress, name="takedown_progress"
    ),
    path("<int:pk>/police/", views.case_police_referral, name="police"),
]
