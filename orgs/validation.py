"""Checks for new organization members, raising ValidationError keyed by field."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError


def validate_new_member(*, username: str, password: str) -> None:
    """A new login: a valid username no account holds (in any case), and a password that passes
    the configured validators (or none at all, for an unusable password)."""
    user_model = get_user_model()
    errors: dict[str, list[str]] = {}
    field = user_model._meta.get_field("username")
    try:
        field.run_validators(username)
        if not username:
            raise ValidationError("Enter a username.")
    except ValidationError as exc:
        errors["username"] = exc.messages
    else:
        if user_model.objects.filter(username__iexact=username).exists():
            errors["username"] = ["This username is taken: choose another one."]
    if password:
        try:
            validate_password(password, user_model(username=username))
        except ValidationError as exc:
            errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
