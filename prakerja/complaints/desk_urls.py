"""The complaints desk (CMP-3), under /backoffice/complaints/."""

urlpatterns: list = []
