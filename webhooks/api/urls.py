"""URLs of the webhooks API, mounted under /v1/."""

from django.urls import path

from webhooks.api import views

ONE = "webhooks/<str:endpoint_id>"

urlpatterns = [
    path("webhooks", views.EndpointCollectionView.as_view(), name="webhooks-list"),
    path(ONE, views.EndpointDetailView.as_view(), name="webhooks-detail"),
    path(f"{ONE}/resume", views.EndpointResumeView.as_view(), name="webhooks-resume"),
    path(f"{ONE}/deliveries", views.DeliveryCollectionView.as_view(), name="webhooks-deliveries"),
    path(
        f"{ONE}/deliveries/<str:message_id>/redeliver",
        views.DeliveryRedeliverView.as_view(),
        name="webhooks-redeliver",
    ),
]
