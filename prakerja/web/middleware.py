from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class LanguageMiddleware(LocaleMiddleware):
    """Indonesian unless the person chose otherwise.

    Django's LocaleMiddleware would follow the browser's Accept-Language,
    and many phones in Indonesia are set to English; the programme speaks
    Bahasa Indonesia by default and English only on request (the language
    switch sets a cookie; a signed-in person's choice is also stored).
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in SUPPORTED:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
