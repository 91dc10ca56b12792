"""URLs of the pronunciation API, mounted under /v1/pronunciation/."""

from django.urls import path

from pronunciations.api import views

urlpatterns = [
    path("dictionaries", views.DictionaryCollectionView.as_view(), name="dictionary-collection"),
    path("dictionaries/<str:name>", views.DictionaryDetailView.as_view(), name="dictionary-detail"),
]
