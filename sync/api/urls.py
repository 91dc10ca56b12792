"""URLs of sync's API, mounted under /v1/ (before the pronunciation API's own)."""

from django.urls import path

from sync.api import views

ONE = "pronunciation/dictionaries/<str:name>"
TARGET = "sync/targets/<str:target_id>"

urlpatterns = [
    path(f"{ONE}/sync", views.DictionarySyncView.as_view(), name="sync-dictionary-state"),
    path(f"{ONE}/speak", views.DictionarySpeakView.as_view(), name="sync-dictionary-speak"),
    path("pronunciation/speak", views.SpeakView.as_view(), name="sync-speak"),
    path("sync/targets", views.TargetCollectionView.as_view(), name="sync-target-list"),
    path(f"{TARGET}/run", views.TargetRunView.as_view(), name="sync-target-run"),
    path(f"{TARGET}/runs", views.TargetRunsView.as_view(), name="sync-target-runs"),
    path("sync/runs/<str:run_id>", views.RunDetailView.as_view(), name="sync-run-detail"),
]
