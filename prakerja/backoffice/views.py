"""The operators' home (issue 20): what needs doing now for this operator's roles, and their pages."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from prakerja.backoffice.selectors import attention, links


@login_required
@require_GET
def home(request):
    if not request.user.is_staff:
        raise PermissionDenied
    items = attention(request.user, timezone.now())
    areas: dict[str, list] = {}
    for item in items:
        areas.setdefault(item.area, []).append(item)
    return render(request, "backoffice/home.html", {
        "areas": areas, "links": links(request.user), "nothing": not any(item.count for item in items)})
