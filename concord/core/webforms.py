"""The one way a page submits a form to a service: validate, call, show the service's errors on the form's fields,
and tell the user what happened (a flash message naming every bad field)."""
from __future__ import annotations

from typing import Any, Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import get_language


def apply_validation_error(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, on the named fields where the form has them."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def errors_text(form: forms.Form) -> str:
    """Every error of the form in one line: ``label: message; label: message``."""
    parts = []
    for field, errors in form.errors.items():
        text = " ".join(str(e) for e in errors)
        # an error of the whole form (a refusal by the gate, a business rule) needs no label before it
        parts.append(f"{form.fields[field].label}: {text}" if field in form.fields else text)
    return "; ".join(parts)


def submit(request, form: forms.Form, act: Callable[[dict], Any], *, done, failed: str) -> tuple[bool, Any]:
    """Validate ``form`` and call ``act(cleaned_data)``; flash ``done`` (text, or a function of the result) or
    ``failed`` (a text with ``%(e)s`` for the errors). Returns ``(succeeded, result)``."""
    result = None
    if form.is_valid():
        try:
            result = act(form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
    if form.errors:
        messages.error(request, failed % {"e": errors_text(form)})
        return False, None
    messages.success(request, done(result) if callable(done) else done)
    return True, result


_FORM_HTML: dict[tuple, str] = {}
FORM_HTML_MAX = 256


def form_html(form_class, **kwargs) -> str:
    """The markup of the empty form ``form_class(**kwargs)``, rendered once per process, language and arguments.

    The case page shows the same empty forms (promise, task, note, contact point …) on every case; rendering a form's
    templates field by field was a large part of the page's time. Only for forms whose markup depends on nothing but
    the language and ``kwargs``: no choices read from the database, no initial values of the moment."""
    key = (form_class, get_language(), repr(sorted(kwargs.items())))
    html = _FORM_HTML.get(key)
    if html is None:
        if len(_FORM_HTML) >= FORM_HTML_MAX:
            _FORM_HTML.clear()
        html = _FORM_HTML[key] = form_class(**kwargs).render()
    return html
