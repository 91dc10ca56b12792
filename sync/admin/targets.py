"""SLNG targets in the admin: the write-only key, their runs, Run now; scoped by organization."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django_celery_beat.models import PeriodicTask

from orgs import permissions
from orgs.actors import Actor
from orgs.admin import OrgScopedAdmin
from orgs.models import Role
from orgs.scoping import restrict
from sync.enqueue import publish_run
from sync.models import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, Channel, SyncRun, SyncTarget
from sync.services import schedule_name, target_create, target_key_usable, target_update
from sync.validation import MIN_INTERVAL_SECONDS, TARGET_FIELDS, validate_target

# The form compares with the target as stored (the admin already scoped the page to the user).
FORM_CHECK = Actor.system("target form")


class SyncTargetForm(forms.ModelForm):
    """The SLNG key is write-only: typed in, encrypted, never shown; blank keeps the old one,
    unless a URL or the model route changed (sync.validation.validate_target says so next to the
    key field). The hosts, the model id, the channel, ``after`` (same organization, no cycle)
    and the concurrency are checked by the same validation; a form posted without a
    concurrency keeps the stored one."""

    base_url = forms.URLField(assume_scheme="https", help_text="e.g. https://api.slng.ai")
    concurrency = forms.IntegerField(
        required=False,
        initial=DEFAULT_CONCURRENCY,
        help_text=(
            f"Dictionaries a run pushes and verifies at once, 1 to {MAX_CONCURRENCY}; 1 works "
            "one dictionary at a time. Runs of one target never overlap, whatever this is."
        ),
    )

    api_key = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        label="SLNG API key",
        help_text=(
            "Write-only. Leave blank to keep the stored key; changing either URL needs the key "
            "entered again."
        ),
    )

    class Meta:
        model = SyncTarget
        fields = ["organization", *TARGET_FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        stored = (
            restrict(SyncTarget, FORM_CHECK).filter(pk=self.instance.pk).first()
            if self.instance.pk
            else None
        )
        organization = stored.organization if stored else data.get("organization")
        if organization is None or not {"name", "base_url", "ws_url"} <= data.keys():
            return data  # those fields carry their own errors already
        if data.get("concurrency") is None and "concurrency" not in self.errors:
            data["concurrency"] = stored.concurrency if stored else DEFAULT_CONCURRENCY
        try:
            validate_target(
                organization=organization,
                stored=stored,
                name=data["name"],
                base_url=data["base_url"],
                ws_url=data["ws_url"],
                api_key=str(data.get("api_key") or ""),
                channel=data.get("channel") or Channel.LATEST,
                after=data.get("after"),
                interval_seconds=data.get("interval_seconds", MIN_INTERVAL_SECONDS),
                concurrency=data.get("concurrency", DEFAULT_CONCURRENCY),
                model=str(data.get("model") or ""),
                verify_route=str(data.get("verify_route") or ""),
            )
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, problems)
        return data


# What a run did, dictionary by dictionary, as its row and its page show it.
RUN_COUNTS = ("created", "replaced", "deleted", "unchanged", "verified", "failed")


class SyncRunInline(admin.TabularInline):
    model = SyncRun
    fields = readonly_fields = (
        "started_at",
        "trigger",
        "status",
        *RUN_COUNTS,
        "duration_ms",
        "error",
    )
    extra = 0
    max_num = 0
    ordering = ["-started_at"]
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


@admin.register(SyncTarget)
class SyncTargetAdmin(OrgScopedAdmin):
    form = SyncTargetForm
    list_display = [
        "name",
        "organization",
        "base_url",
        "model",
        "channel",
        "after",
        "enabled",
        "prune",
        "interval_seconds",
        "concurrency",
    ]
    list_filter = ["enabled", "channel"]
    inlines = [SyncRunInline]
    actions = ["run_now"]
    view_role = Role.VIEWER
    change_role = Role.ADMIN

    def has_module_permission(self, request: HttpRequest) -> bool:
        """Listed in the admin's menus for organization admins only: targets are infrastructure.
        Viewers and editors still open a target (and its runs) from a dictionary's sync panel."""
        return permissions.organization_ids(request, Role.ADMIN) != []

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "after":  # offered: targets of organizations the user administers
            targets = restrict(SyncTarget, permissions.actor(request), self.change_role)
            kwargs["queryset"] = targets.select_related("organization").order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A target never moves to another organization: its key belongs to this one.
        return ["organization", "stored_key"] if obj else []

    @admin.display(description="stored SLNG key")
    def stored_key(self, obj: SyncTarget) -> str:
        if target_key_usable(obj):
            return "Stored (write-only), for these URLs."
        return "Cannot be used: it was entered for other URLs. Enter the key again."

    def save_model(self, request: HttpRequest, obj: SyncTarget, form: Any, change: bool) -> None:
        fields = {field: form.cleaned_data[field] for field in TARGET_FIELDS}
        key = str(form.cleaned_data.get("api_key") or "")
        if change:
            saved = target_update(target=obj, api_key=key, **fields)
        else:
            organization = form.cleaned_data["organization"]
            saved = target_create(organization=organization, api_key=key, **fields)
        obj.pk, obj.public_id = saved.pk, saved.public_id
        obj._state.adding = False

    refusals = (ValidationError,)  # the service refused what the form let through (a race)

    def delete_model(self, request: HttpRequest, obj: SyncTarget) -> None:
        PeriodicTask.objects.filter(name=schedule_name(obj)).delete()
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SyncTarget]) -> None:
        PeriodicTask.objects.filter(name__in=[schedule_name(t) for t in queryset]).delete()
        super().delete_queryset(request, queryset)

    @admin.action(description="Run a sync now")
    def run_now(self, request: HttpRequest, queryset: QuerySet[SyncTarget]) -> None:
        targets = restrict(queryset, permissions.actor(request), Role.EDITOR)
        targets = targets.select_related("organization")
        queued = [t.name for t in targets if publish_run(t, "manual")]
        self.message_user(request, f"Queued: {', '.join(queued) or 'nothing (broker down?)'}")
