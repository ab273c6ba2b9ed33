"""Statistics (OPS-3), under /backoffice/stats/."""


urlpatterns: list = []
