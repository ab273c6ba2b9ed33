from django.urls import path

from prakerja.registry import views

urlpatterns = [
    path("identity/", views.identity_step, name="registry_identity"),
    path("personal-data/", views.personal_step, name="registry_personal"),
    path("phone/", views.phone_step, name="registry_phone"),
    path("statement/", views.statement_step, name="registry_statement"),
    path("test/", views.test_step, name="registry_test"),
    path("test/start/", views.test_start, name="registry_test_start"),
    path("test/answer/", views.test_answer, name="registry_test_answer"),
    path("photos/<uuid:public_id>/<str:kind>/", views.photo, name="registry_photo"),
]
