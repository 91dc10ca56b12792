"""Schedules in the admin: organization admins see their targets' schedules and change only
when they run; the shared schedule rows (intervals, crontabs) are for superusers."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from orgs import permissions
from orgs.admin import CheckedSelectionAdmin
from orgs.models import Role
from orgs.scoping import restrict
from sync.enqueue import publish_run
from sync.models import SyncTarget
from sync.services import schedule_name


def _is_superuser(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_active and user.is_superuser)


# What a periodic task runs: only superusers change these. Organization admins change when.
SCHEDULE_WHAT = (
    "name",
    "task",
    "description",
    "args",
    "kwargs",
    "queue",
    "exchange",
    "routing_key",
    "priority",
    "headers",
)
SCHEDULE_WHEN = (
    "enabled",
    "interval",
    "crontab",
    "solar",
    "clocked",
    "start_time",
    "expires",
    "expire_seconds",
    "one_off",
)


class ScheduleWhenForm(forms.ModelForm):
    """The periodic task form of organization admins: when it runs, nothing of what it runs."""

    class Meta:
        model = PeriodicTask
        fields = SCHEDULE_WHEN

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("expires") and data.get("expire_seconds") is not None:
            raise ValidationError("Set either expires or expire seconds, not both.")
        return data


class ScopedPeriodicTaskAdmin(CheckedSelectionAdmin, PeriodicTaskAdmin):
    """Schedules: staff see only their (admin-role) organizations' sync schedules, and change
    only when they run. Superusers keep django-celery-beat's full form."""

    def _targets(self, request: HttpRequest) -> QuerySet[SyncTarget]:
        actor = permissions.actor(request)
        return restrict(SyncTarget, actor, Role.ADMIN).select_related("organization")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if permissions.organization_ids(request, Role.ADMIN) is None:
            return queryset
        return queryset.filter(name__in=[schedule_name(t) for t in self._targets(request)])

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if _is_superuser(request):
            return super().get_fieldsets(request, obj)
        return (
            (None, {"fields": ("name", "task", "args", "description")}),
            ("Schedule", {"fields": (*SCHEDULE_WHEN, "last_run_at")}),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if _is_superuser(request):
            return super().get_readonly_fields(request, obj)
        return (*SCHEDULE_WHAT, "last_run_at")

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if not _is_superuser(request):
            kwargs["form"] = ScheduleWhenForm
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change and not _is_superuser(request):
            # The form has no such fields; this keeps it so whatever a future form adds.
            stored = PeriodicTask.objects.get(pk=obj.pk)
            for field in SCHEDULE_WHAT:
                setattr(obj, field, getattr(stored, field))
        super().save_model(request, obj, form, change)

    @admin.action(description="Run selected tasks")
    def run_tasks(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """A sync schedule runs its own target, whatever its stored arguments say."""
        targets = {schedule_name(t): t for t in self._targets(request)}
        selected = list(queryset)
        queued = [
            targets[t.name].name
            for t in selected
            if t.name in targets and publish_run(targets[t.name], "manual")
        ]
        others = [t.pk for t in selected if t.name not in targets]
        if others and _is_superuser(request):
            super().run_tasks(request, queryset.filter(pk__in=others))
        self.message_user(request, f"Sync queued for {len(queued)} target(s).")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.organization_ids(request, Role.ADMIN) != []

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and (
            obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()
        )

    has_change_permission = has_view_permission

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_superuser(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_superuser(request)


admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, ScopedPeriodicTaskAdmin)


class SuperuserOnlyAdmin(CheckedSelectionAdmin):
    """Schedule rows (every 5 minutes, a crontab) are shared by every organization's tasks, and
    their pages list those tasks: only superusers see and edit them. Organization admins pick
    among them in their schedule's form."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_superuser(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_superuser(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _is_superuser(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_superuser(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_superuser(request)


for _model in (IntervalSchedule, CrontabSchedule, SolarSchedule, ClockedSchedule):
    _base = type(admin.site._registry[_model])
    admin.site.unregister(_model)
    admin.site.register(_model, type(f"Superuser{_base.__name__}", (SuperuserOnlyAdmin, _base), {}))
