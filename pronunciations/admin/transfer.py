"""Import and export in the dictionary admin: django-import-export's import flow, streamed
export actions, and PLS per dictionary. Mixed into DictionaryAdmin.

Every file is bounded by pronunciations.uploads before django-import-export reads it, and read
by it (the format classes below). A file over LEXICON_IMPORT_SYNC_MAX_BYTES becomes a background
job; its page polls the job's status and shows the rows done and the final report.
"""

import os
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.datastructures import MultiValueDict
from import_export.admin import ImportMixin

from orgs import permissions
from orgs.actors import Actor
from orgs.models import Role
from orgs.scoping import restrict
from pronunciations.admin import kept, outcomes
from pronunciations.admin.exports import ExportActionsMixin
from pronunciations.admin.forms import (
    OrganizationConfirmImportForm,
    OrganizationImportForm,
    PlsImportForm,
)
from pronunciations.checks import current_checks
from pronunciations.content import current_wire
from pronunciations.errors import PronunciationError
from pronunciations.models import Dictionary, ImportJob
from pronunciations.transfer import exporting, formats, jobs, reading, services
from pronunciations.transfer.importing import ImportRejected
from pronunciations.transfer.pls import pls_dump
from pronunciations.transfer.resource import (
    BoundedCSV,
    BoundedJSON,
    BoundedXLSX,
    DictionaryRulesResource,
)
from pronunciations.transfer.uploads import accepts_uploads

# Reads keyed by rows this page already scoped to the user (the page checks the role).
TRANSFER_PAGE = Actor.system("import and export page")


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(m for ms in exc.message_dict.values() for m in ms)
    return str(exc)


class TransferAdminMixin(ExportActionsMixin, ImportMixin):
    """Needs the host admin's ``_editable(request, pk, role)``."""

    resource_classes = [DictionaryRulesResource]
    formats = [BoundedCSV, BoundedXLSX, BoundedJSON]
    import_form_class = OrganizationImportForm
    confirm_form_class = OrganizationConfirmImportForm
    import_template_name = "admin/pronunciations/dictionary/import.html"
    # Uploads between the dry run and the confirm step, and kept after a refusal: scoped to
    # the session, bounded in number and age (pronunciations/admin/kept.py).
    tmp_storage_class = kept.KeptStorage
    skip_admin_log = True
    actions = ExportActionsMixin.actions

    def _editable(self, request: HttpRequest, pk: int, role: str) -> Dictionary:
        raise NotImplementedError

    def pls_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self._editable(request, pk, Role.VIEWER)
        modes = current_wire(obj)
        body = pls_dump(modes, obj.metadata, checks_left_out=len(current_checks(obj)))
        response = HttpResponse(body, content_type=formats.CONTENT_TYPES["pls"])
        response["Content-Disposition"] = f'attachment; filename="{obj.name}.pls"'
        return response

    def pls_import_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Import a PLS lexicon into this dictionary (dry run first by default)."""
        obj = self._editable(request, pk, Role.EDITOR)
        form = PlsImportForm(request.POST or None, request.FILES or None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": f"Import PLS into {obj.name}",
            "form": form,
        }
        if request.method == "POST" and form.is_valid():
            data, upload = form.cleaned_data, form.cleaned_data["file"]
            options = reading.ImportOptions(
                obj.organization, "pls", mode=data["mode"], dry_run=data["dry_run"],
                dictionary=obj.name, conflicts=reading.on_conflict(data["on_conflict"]),
                author=Actor.for_user(request.user),
            )  # fmt: skip
            try:
                before = obj.revision
                started = services.import_start(
                    options=options, source=upload.file, file_name=upload.name or ""
                )
                if isinstance(started, ImportJob):
                    return HttpResponseRedirect(self._job_url(started))
                context["report"] = started.to_wire()
                context["proposed"] = outcomes.written_note(obj, before).strip()
            except ImportRejected as exc:
                context["errors"] = [f"{e.where()}: {e.message}" for e in exc.report.errors]
                context["warnings"] = exc.report.warnings.to_wire()
            except ValidationError as exc:
                context["errors"] = [m for ms in exc.message_dict.values() for m in ms]
            except PronunciationError as exc:  # too large (413) or the broker is down (503)
                context["errors"] = [exc.message]
        return TemplateResponse(request, "admin/pronunciations/dictionary/pls_import.html", context)

    def get_urls(self) -> list[Any]:
        """Job pages, then django-import-export's (the import page marked as taking uploads)."""
        view = self.admin_site.admin_view
        urls = super().get_urls()
        for pattern in urls:
            if str(getattr(pattern, "name", "")).endswith("_import"):
                accepts_uploads(pattern.callback)
        return [
            path(
                "import/template.<str:file_format>",
                view(self.import_template_view),
                name="pronunciations_dictionary_import_template",
            ),
            path(
                "import-jobs/<str:job_id>/",
                view(self.import_job_view),
                name="pronunciations_dictionary_import_job",
            ),
            path(
                "import-jobs/<str:job_id>/status/",
                view(self.import_job_status_view),
                name="pronunciations_dictionary_import_job_status",
            ),
            *urls,
        ]

    def import_template_view(self, request: HttpRequest, file_format: str) -> HttpResponseBase:
        """An example file to fill in, with every column (CSV, XLSX or JSON)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        if file_format not in ("csv", "xlsx", "json"):
            raise Http404
        return exporting.template_response(file_format)

    def _upload(self, request: HttpRequest) -> UploadedFile | None:
        """The file of this import: the one chosen, else (asked for with ``kept_file``) the
        one this session sent last time and that was refused. Read once per request."""
        if not hasattr(request, "_lexicon_upload"):
            upload: UploadedFile | None = request.FILES.get("import_file")
            wanted = request.POST.get("kept_file") if request.method == "POST" else None
            previous = kept.current(request.session) if upload is None and wanted else None
            data = previous.read() if previous and previous.name == wanted else None
            if previous is not None and data is not None:
                upload = SimpleUploadedFile(previous.file_name, data)
            request._lexicon_upload = upload  # type: ignore[attr-defined]
        return request._lexicon_upload  # type: ignore[attr-defined]

    def import_action(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        """Check the file's bounds first; a large file becomes a background job. A file that
        was refused is kept for this session, to submit again (pronunciations/admin/kept.py)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        upload = self._upload(request)
        if request.method == "POST" and upload is not None:
            form = self.create_import_form(request)
            if form.is_valid():
                refused_or_job = self._bounded_import(request, form)
                if refused_or_job is not None:
                    return refused_or_job
        response = super().import_action(request, **kwargs)
        if isinstance(response, TemplateResponse) and response.context_data is not None:
            self._keep(request, response.context_data, upload)
        return response

    def _keep(self, request: HttpRequest, context: dict[str, Any], upload: Any) -> None:
        """The dry run's file may be confirmed by this session; a refused one is kept."""
        name = getattr(upload, "tmp_storage_name", None)
        if name and context.get("confirm_form") is not None:
            kept.allow(request.session, os.path.basename(name))
        elif name:
            chosen = request.POST.get("format", "")
            kept.keep(request.session, os.path.basename(name), upload.name or "", chosen)
        context["kept"] = None if context.get("confirm_form") else kept.current(request.session)
        if context["kept"] is not None and context.get("form") is not None:
            context["form"].use_required_attribute = False  # submitting needs no file now

    def process_import(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        """Confirm only a file this session's dry run wrote (and that is still kept)."""
        name = os.path.basename(request.POST.get("import_file_name", ""))
        if not kept.allowed(request.session, name):
            messages.error(request, "This import's file is no longer kept: choose it again.")
            return HttpResponseRedirect(reverse("admin:pronunciations_dictionary_import"))
        response = super().process_import(request, **kwargs)
        kept.confirmed(request.session, name)
        kept.forget(request.session)
        return response

    def add_success_message(self, result: Any, request: HttpRequest) -> None:
        """django-import-export's totals, and whether the changes are only proposed."""
        super().add_success_message(result, request)
        note = outcomes.import_note(request.POST.get("organization"))
        if note:
            messages.info(request, note.strip())

    def _bounded_import(self, request: HttpRequest, form: Any) -> HttpResponse | None:
        """A refused file's message, or a large file's job page; None: the page imports it."""
        data, upload = form.cleaned_data, form.cleaned_data["import_file"]
        if not permissions.allowed(request, data["organization"].pk, Role.EDITOR):
            raise PermissionDenied
        options = reading.ImportOptions(
            data["organization"], self.get_import_formats()[int(data["format"])].file_format,
            mode=data["mode"], create_missing=bool(data["create_missing"]),
            author=Actor.for_user(request.user),
        )  # fmt: skip
        try:
            job = services.import_job_if_background(
                options=options, source=upload.file, file_name=upload.name or ""
            )
        except (ValidationError, PronunciationError) as exc:
            messages.error(request, _message(exc))
            return HttpResponseRedirect(request.path)
        return None if job is None else HttpResponseRedirect(self._job_url(job))

    def _job_url(self, job: ImportJob) -> str:
        return reverse("admin:pronunciations_dictionary_import_job", args=[job.public_id])

    def _job(self, request: HttpRequest, job_id: str) -> ImportJob:
        """The job, if it belongs to an organization the user may import into (else 404)."""
        found = (
            restrict(ImportJob, TRANSFER_PAGE)
            .filter(public_id=job_id[:40])
            .select_related("organization")
        )
        job = found.first()
        if job is None or not permissions.allowed(request, job.organization_id, Role.EDITOR):
            raise Http404
        return jobs.import_job_get(organization=job.organization, job_id=job.public_id)

    def import_job_view(self, request: HttpRequest, job_id: str) -> HttpResponse:
        job = self._job(request, job_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Import {job.file_name or job.public_id}",
            "job": jobs.import_job_wire(job),
            "status_url": reverse(
                "admin:pronunciations_dictionary_import_job_status", args=[job.public_id]
            ),
            "poll_ms": 1000,
            # Shown once the job has written something (import_job.js).
            "proposed": outcomes.import_note(job.organization_id).strip(),
        }
        return TemplateResponse(request, "admin/pronunciations/dictionary/import_job.html", context)

    def import_job_status_view(self, request: HttpRequest, job_id: str) -> JsonResponse:
        return JsonResponse(jobs.import_job_wire(self._job(request, job_id)))

    def add_data_read_fail_error_to_form(self, form: Any, e: Exception) -> None:
        """Name the problem the bounded readers found (the default hides it)."""
        if isinstance(e, ValidationError | PronunciationError):
            form.add_error("import_file", _message(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def has_import_permission(self, request: HttpRequest) -> bool:
        return permissions.organization_ids(request, Role.EDITOR) != []

    def get_import_form_kwargs(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        form_kwargs = super().get_import_form_kwargs(request, *args, **kwargs)
        form_kwargs["organizations"] = permissions.organizations(request, Role.EDITOR)
        upload = self._upload(request)
        if upload is not None and request.FILES.get("import_file") is None:
            form_kwargs["files"] = MultiValueDict({"import_file": [upload]})
        form_kwargs["keeps_file"] = kept.current(request.session) is not None
        return form_kwargs

    def get_import_form_initial(self, request: HttpRequest) -> Any:
        """The organization is preselected when the user may import into only one."""
        initial = dict(super().get_import_form_initial(request))
        ids = permissions.organization_ids(request, Role.EDITOR)
        if ids is not None and len(ids) == 1:
            initial["organization"] = ids[0]
        return initial

    def get_confirm_form_kwargs(self, request: HttpRequest, import_form: Any = None) -> Any:
        form_kwargs = super().get_confirm_form_kwargs(request, import_form)
        form_kwargs["organizations"] = permissions.organizations(request, Role.EDITOR)
        return form_kwargs

    def get_confirm_form_initial(self, request: HttpRequest, import_form: Any) -> Any:
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            data = import_form.cleaned_data
            initial.update(
                organization=data["organization"].pk,
                mode=data["mode"],
                create_missing=data["create_missing"],
            )
        return initial

    def get_import_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> Any:
        form = kwargs.get("form")
        if form is None or not hasattr(form, "cleaned_data"):
            return {"organization": None}
        organization = form.cleaned_data.get("organization")
        if organization is None:
            return {"organization": None}
        if not permissions.allowed(request, organization.pk, Role.EDITOR):
            raise PermissionDenied
        return {
            "organization": organization,
            "mode": form.cleaned_data.get("mode") or "merge",
            "create_missing": bool(form.cleaned_data.get("create_missing")),
            "author": Actor.for_user(request.user),
        }
