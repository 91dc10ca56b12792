"""URLs of the pronunciation API, mounted under /v1/pronunciation/."""

from django.urls import path, register_converter
from django.urls.converters import PathConverter

from pronunciations.api import (
    checks,
    history,
    layers,
    review,
    rules,
    scan,
    tools,
    transfer,
    views,
)


class MatchConverter(PathConverter):
    """A rule's match in the path: any characters, "/" (percent-encoded or not, the server
    decodes it before routing) and line breaks among them, which <path:…>'s "." left out (a
    404 from the router instead of the view's 400 naming the match)."""

    regex = r"[\s\S]+"


register_converter(MatchConverter, "match")

ONE = "dictionaries/<str:name>"
REVISION = f"{ONE}/revisions/<int:number>"
DELETED_REVISION = "deleted-dictionaries/<str:dictionary_id>/revisions/<int:number>"
RULE = f"{ONE}/rules/<str:mode>/<match:match>"

urlpatterns = [
    path("dictionaries", views.DictionaryCollectionView.as_view(), name="dictionary-collection"),
    path(ONE, views.DictionaryDetailView.as_view(), name="dictionary-detail"),
    path(f"{ONE}/flattened", layers.DictionaryFlattenedView.as_view(), name="dictionary-flat"),
    path(f"{ONE}/checks", checks.DictionaryChecksView.as_view(), name="dictionary-checks"),
    path(RULE, rules.RuleDetailView.as_view(), name="dictionary-rule"),
    path(f"{ONE}/revisions", history.RevisionCollectionView.as_view(), name="revision-list"),
    path(REVISION, history.RevisionDetailView.as_view(), name="revision-detail"),
    path(f"{REVISION}/diff/<int:other>", history.RevisionDiffView.as_view(), name="revision-diff"),
    path(f"{REVISION}/restore", history.RevisionRestoreView.as_view(), name="revision-restore"),
    path(f"{REVISION}/approve", review.RevisionApproveView.as_view(), name="revision-approve"),
    path(f"{REVISION}/reject", review.RevisionRejectView.as_view(), name="revision-reject"),
    path(f"{REVISION}/withdraw", review.RevisionWithdrawView.as_view(), name="revision-withdraw"),
    path(f"{ONE}/preview", tools.DictionaryPreviewView.as_view(), name="dictionary-preview"),
    path(f"{ONE}/lint", tools.DictionaryLintView.as_view(), name="dictionary-lint"),
    path(f"{ONE}/export", transfer.DictionaryExportView.as_view(), name="dictionary-export"),
    path("preview", tools.PreviewView.as_view(), name="preview"),
    path("scan", scan.ScanView.as_view(), name="scan"),
    path("scans/<str:job_id>", scan.ScanJobDetailView.as_view(), name="scan-job-detail"),
    path("import", transfer.ImportView.as_view(), name="import"),
    path("imports/<str:job_id>", transfer.ImportJobDetailView.as_view(), name="import-job-detail"),
    path("export", transfer.ExportView.as_view(), name="export"),
    path("deleted-dictionaries", history.DeletedCollectionView.as_view(), name="deleted-list"),
    path(
        "deleted-dictionaries/<str:dictionary_id>/restore",
        history.DeletedRestoreView.as_view(),
        name="deleted-restore",
    ),
    path(
        f"{DELETED_REVISION}/approve",
        review.DeletedRevisionApproveView.as_view(),
        name="deleted-revision-approve",
    ),
    path(
        f"{DELETED_REVISION}/reject",
        review.DeletedRevisionRejectView.as_view(),
        name="deleted-revision-reject",
    ),
    path(
        f"{DELETED_REVISION}/withdraw",
        review.DeletedRevisionWithdrawView.as_view(),
        name="deleted-revision-withdraw",
    ),
]
