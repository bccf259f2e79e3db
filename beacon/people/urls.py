from django.urls import path

from beacon.people import views

app_name = "people"
urlpatterns = [
    path("search/", views.person_search, name="search"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/photo/", views.person_photo, name="photo"),
    path("<int:pk>/merge/<int:other>/", views.person_merge, name="merge"),
    path("merges/<int:merge_pk>/undo/", views.merge_undo, name="merge_undo"),
]
