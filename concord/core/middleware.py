from .context import request_context


class RequestContextMiddleware:
    """Give every request an id (honouring X-Request-ID) that audit events carry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")[:64]
        with request_context(incoming or None) as rid:
            request.request_id = rid
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            return response


class LanguageMiddleware:
    """Simplified Chinese unless the user chose another language (cookie set by the language switch).

    Django's LocaleMiddleware would follow the browser's Accept-Language; Concord's users work in Chinese by
    default whatever browser the bank installed, and switch explicitly.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        with translation.override(language):  # the thread's language goes back afterwards (tests, thread pools)
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
