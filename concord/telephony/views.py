"""The provider's push endpoint (webhook): verified by the provider's signature, stored raw, processed later."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import providers, services


@csrf_exempt
@require_POST
def push(request, provider):
    if provider == "manual" or provider not in (*providers.NAMES, *providers._registered):
        return HttpResponse(status=404)
    try:
        with transaction.atomic():
            count = services.receive(provider, dict(request.headers), request.body)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=403)
    except ValueError as exc:
        return JsonResponse({"error": str(exc)[:200]}, status=400)
    return JsonResponse({"stored": count})
