from django.urls import path

from prakerja.sandbox import dukcapil, views

urlpatterns = [
    path("", views.index),
    path("outbox", views.outbox, name="sandbox_outbox"),
    path("outbox.json", views.outbox_json),
    path("sms/send", views.sms_send),
    path("control/faults", views.faults),
    path("dukcapil/verify", dukcapil.verify),
    path("dukcapil/people.json", dukcapil.people, name="sandbox_people"),
    path("", ("prakerja.sandbox.webhooks", None, None)),  # include() of webhooks.urlpatterns
    path("shop/", ("prakerja.sandbox.shop", None, None)),  # the demo platform's storefront
    path("provider/", ("prakerja.sandbox.provider", None, None)),  # the demo training provider's desk
]
