"""Admin for organizations, memberships and API keys, and the org-scoping base of every admin."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.core.exceptions import BadRequest, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse

from orgs import permissions
from orgs.models import APIKey, Membership, Organization, Role
from orgs.scoping import restrict
from orgs.services import api_key_create, api_key_revoke, member_create, review_switched
from orgs.validation import validate_new_member


class CheckedSelectionAdmin(admin.ModelAdmin):
    """An admin whose actions refuse a selection that is not a list of ids with 400.

    Django filters ``pk__in`` with the posted ``_selected_action`` values as they are, so
    ``abc`` (or ``1%00``) raised ValueError inside the action: an HTML 500.
    """

    def response_action(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        pk = self.model._meta.pk
        assert pk is not None  # noqa: S101 - every model has one
        for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
            try:
                pk.to_python(value)
            except ValidationError as exc:
                raise BadRequest(f"{helpers.ACTION_CHECKBOX_NAME}: not an id") from exc
        return super().response_action(request, queryset)


class OrgScopedAdmin(CheckedSelectionAdmin):
    """Staff see and change only their organizations' objects, by role; superusers see all.

    The list comes from ``orgs.scoping.restrict``; ``org_field`` is the lookup from the model to
    its organization, for one object's permissions. Viewing needs ``view_role``,
    adding, changing and deleting need ``change_role``.
    """

    org_field = "organization"
    view_role: str = Role.VIEWER
    change_role: str = Role.EDITOR
    # Errors a service may raise after the form let the change through (a race, a stale ETag):
    # shown as a message on the same page instead of a 500.
    refusals: tuple[type[Exception], ...] = ()

    def refusal_message(self, exc: Exception) -> str:
        return " ".join(getattr(exc, "messages", None) or [getattr(exc, "message", str(exc))])

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except self.refusals as exc:
            messages.error(request, self.refusal_message(exc))
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except self.refusals as exc:  # the service refused the deletion (a layer in use, …)
            messages.error(request, self.refusal_message(exc))
            return HttpResponseRedirect(request.get_full_path())

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        try:
            return super().changelist_view(request, extra_context)
        except self.refusals as exc:  # an action the service refused (each is all or nothing)
            messages.error(request, self.refusal_message(exc))
            return HttpResponseRedirect(request.get_full_path())

    def _org_id(self, obj: Model) -> int | None:
        target: Any = obj
        for part in self.org_field.split("__"):
            target = getattr(target, part)
        return int(target.pk)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        actor = permissions.actor(request)
        return restrict(super().get_queryset(request), actor, self.view_role)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.organization_ids(request, self.view_role) != []

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self.has_module_permission(request)
        return permissions.allowed(request, self._org_id(obj), self.view_role)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return permissions.can(request, None, self.change_role)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.can(request, self._org_id(obj) if obj else None, self.change_role)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is Organization:
            kwargs["queryset"] = permissions.organizations(request, self.change_role)
        elif db_field.related_model is get_user_model():
            kwargs["queryset"] = permissions.users(request, self.change_role)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Organization)
class OrganizationAdmin(CheckedSelectionAdmin):
    """Organizations; an organization's admin changes its name and settings (review_required)."""

    list_display = ["slug", "name", "review_required", "public_id", "created_at"]
    list_filter = ["review_required"]
    search_fields = ["slug", "name"]
    fields = ["slug", "name", "review_required", "public_id", "created_at"]
    readonly_fields = ["public_id", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        return permissions.organizations(request)

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        """Save; turning review off decides the proposals still waiting, as the command does."""
        super().save_model(request, obj, form, change)
        if change and "review_required" in form.changed_data:
            review_switched(organization=obj, by=request.user.get_username())

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.organization_ids(request) != []

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (
            self.has_module_permission(request)
            if obj is None
            else (permissions.allowed(request, obj.pk, Role.VIEWER))
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and permissions.allowed(request, obj.pk, Role.ADMIN)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False))


def _is_superuser(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_active and user.is_superuser)


class NewMemberForm(forms.ModelForm):
    """An organization admin adds a member by creating a new login into their organization."""

    username = forms.CharField(
        max_length=150, help_text="A new login; it belongs to this organization only."
    )
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="Set once, here. Leave blank for an account that cannot log in with a password.",
    )

    class Meta:
        model = Membership
        fields = ["organization", "role"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            validate_new_member(
                username=str(data.get("username") or ""), password=str(data.get("password") or "")
            )
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, problems)
        return data


@admin.register(Membership)
class MembershipAdmin(OrgScopedAdmin):
    """Members of the user's (admin-role) organizations.

    Only a superuser adds an existing account to an organization. An organization admin changes
    roles of and removes members of their own organizations, and adds a member by creating a
    new login directly into one of them; they never see or pick another organization's users.
    """

    list_display = ["user", "organization", "role"]
    list_filter = ["role"]
    view_role = Role.ADMIN
    change_role = Role.ADMIN

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None and not _is_superuser(request):
            kwargs["form"] = NewMemberForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["user", "organization"] if obj and not _is_superuser(request) else []

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if change or not isinstance(form, NewMemberForm):
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = member_create(
            organization=data["organization"],
            username=data["username"],
            password=data.get("password") or "",
            role=data["role"],
        )
        obj.pk, obj.user = created.pk, created.user
        obj._state.adding = False


@admin.register(APIKey)
class APIKeyAdmin(OrgScopedAdmin):
    """Keys: created here with the secret shown once, labelled, given a role (viewer reads,
    editor writes, reviewer and admin also approve), revoked; the secret is never shown again."""

    list_display = [
        "label",
        "organization",
        "role",
        "visible_prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = [("organization", admin.RelatedOnlyFieldListFilter), "role"]
    fields = [
        "organization",
        "label",
        "role",
        "visible_prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["visible_prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]
    view_role = Role.ADMIN
    change_role = Role.ADMIN

    @admin.display(description="key")
    def visible_prefix(self, obj: APIKey) -> str:
        return f"lex_{obj.prefix}…" if obj.prefix else "(shown once, after saving)"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self.readonly_fields, "organization"] if obj else self.readonly_fields

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_choice_field(db_field, request, **kwargs)
        if (
            field is not None and db_field.name == "role"
        ):  # a form sent without it (as before roles), or with it blank, makes an editor
            field.required = False
            field.empty_value = Role.EDITOR  # blank was saved as "", a role no key can have
            field.help_text = (
                "viewer reads; editor (the default) also writes; reviewer and admin also "
                "approve or reject others' changes."
            )
        return field

    def save_model(self, request: HttpRequest, obj: APIKey, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["label", "role"])
            return
        issued = api_key_create(organization=obj.organization, label=obj.label, role=obj.role)
        obj.pk, obj.prefix = issued.api_key.pk, issued.api_key.prefix
        obj._state.adding = False
        request.issued_key = issued.plaintext  # type: ignore[attr-defined]

    def response_add(self, request: HttpRequest, obj: APIKey, post_url_continue: Any = None) -> Any:
        """The new key's secret on a page of its own, answered to the add form's POST: never in
        a redirect's message, which Django keeps in a cookie (issue 22), and never cached."""
        plaintext = getattr(request, "issued_key", None)
        if plaintext is None:
            return super().response_add(request, obj, post_url_continue)
        context = {**self.admin_site.each_context(request), "key": obj, "plaintext": plaintext}
        response = TemplateResponse(request, "admin/orgs/apikey/issued.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[APIKey]) -> None:
        for api_key in queryset:
            api_key_revoke(api_key=api_key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).")
