"""Placeholder: the participant's complaint pages are being written (issue 20)."""

from django.http import Http404


def complaint_form(request):
    raise Http404


def ticket_list(request):
    raise Http404


def ticket_detail(request, public_id):
    raise Http404


def ticket_by_link(request, token):
    raise Http404
