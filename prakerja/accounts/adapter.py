import uuid

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from prakerja.core.http import client_ip, client_network
from prakerja.notifications.services import email_queue_rendered


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """Queue allauth's mails (confirmation, reset, login code) in the outbox.

        They are then stored, retried and swept like every other message, so
        a closed SMTP server delays a confirmation link but never loses it.
        """
        from allauth.core import context as allauth_context

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": self._site(request)}
        ctx.update(context)
        msg = self.render_mail(template_prefix, email, ctx)
        html = ""
        for content, mimetype in getattr(msg, "alternatives", []):
            if mimetype == "text/html":
                html = content
        user = get_user_model().objects.filter(email__iexact=email).first()
        email_queue_rendered(
            to=email, subject=msg.subject, body=msg.body, html_body=html,
            key=f"allauth:{uuid.uuid4()}", template=template_prefix.rsplit("/", 1)[-1], user=user,
        )

    def get_login_redirect_url(self, request):
        # Operators work in the back office; the participant dashboard means nothing to them.
        if request.user.is_staff:
            from django.urls import reverse

            return reverse("backoffice_home")
        return super().get_login_redirect_url(request)

    def get_login_stages(self):
        # The same stages in the same order; two answer from the password check's lookup (stages.py).
        from prakerja.accounts.stages import REPLACING

        return [REPLACING.get(path, path) for path in super().get_login_stages()]

    def is_open_for_signup(self, request):
        from prakerja.programme.selectors import switches

        return switches().signups_open

    def clean_email(self, email):
        # The column holds 254 characters (RFC 5321); refuse more here so a
        # long address is a form error, not a database error.
        if len(email) > 254:
            raise forms.ValidationError(_("An email address is at most 254 characters."))
        return super().clean_email(email)

    def save_user(self, request, user, form, commit=True):
        # Set the name and language before allauth's single save of the row.
        user.full_name = form.cleaned_data.get("full_name", "")
        user.language = (getattr(request, "LANGUAGE_CODE", None) or "id")[:8]
        return super().save_user(request, user, form, commit=commit)

    def get_client_ip(self, request):
        # allauth's rate limits count per client: the same address our request
        # log and our own limits use, trusted only as far as our proxies go.
        return client_ip(request)

    def pre_authenticate(self, request, **credentials):
        # allauth's, counting "login_failed" through prakerja.accounts.ratelimits: the same limits in
        # fewer round trips to Redis, and a rollback after a right password that takes two, not eight.
        from prakerja.accounts import ratelimits

        cache_key = self._get_login_attempts_cache_key(request, **credentials)
        self._login_failed_rl_usage = ratelimits.consume(request, action="login_failed", key=cache_key)
        if not self._login_failed_rl_usage:
            raise self.validation_error("too_many_login_attempts")

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth counts failed logins per account ("key"); per account alone,
        # anyone could keep a chosen person locked out. Per (client, account),
        # a stranger only locks themselves out; the owner still logs in. A client is an IPv4 address or an
        # IPv6 /64, so rotating addresses within one's /64 does not buy more guesses.
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:{client_network(request)}"

    @staticmethod
    def _site(request):
        from django.contrib.sites.shortcuts import get_current_site

        return get_current_site(request)
