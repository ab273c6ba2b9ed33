from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from prakerja.partners.api import api as partner_api
from prakerja.web import views as web

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = admin.site.site_title = "Prakerja"

urlpatterns = [
    path("", web.home, name="home"),
    path("dashboard/", web.dashboard, name="dashboard"),
    path("inbox/", include("prakerja.notifications.urls")),
    path("registration/", include("prakerja.registry.urls")),
    path("waves/", include("prakerja.waves.urls")),
    path("waves/", include("prakerja.selection.urls")),
    path("card/videos/", include("prakerja.induction.urls")),
    path("card/", include("prakerja.cards.urls")),
    path("operators/cards/", include("prakerja.cards.operator_urls")),
    path("operators/partners/", include("prakerja.catalog.operator_urls")),
    path("operators/trainings/", include("prakerja.learning.operator_urls")),
    path("trainings/mine/", include("prakerja.learning.urls")),
    path("trainings/", include("prakerja.catalog.urls")),
    path("certificates/", include("prakerja.learning.certificate_urls")),
    path("complaints/", include("prakerja.complaints.urls")),
    path("my-data/", include("prakerja.mydata.urls")),
    path("backoffice/", include("prakerja.backoffice.urls")),
    path("retention/", include("prakerja.retention.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/partner/v1/", partner_api.urls),
    path("i18n/setlang/", web.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("healthz", web.healthz, name="healthz"),
]

if settings.BENCH_ENDPOINTS:
    # bench/: the same middleware stack with no work behind it, as a yardstick. First in the list, as the
    # bare hello is in its own: the yardstick measures the stack, not a walk past every other route.
    urlpatterns.insert(0, path("bench/hello", web.hello, name="bench_hello"))
