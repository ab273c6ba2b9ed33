from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from prakerja.notifications import selectors, services


@login_required
def inbox(request):
    page = Paginator(selectors.inbox_list(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def inbox_read(request, public_id):
    services.inbox_mark_read(user=request.user, public_id=public_id)
    return redirect("inbox")


@login_required
@require_POST
def inbox_read_all(request):
    services.inbox_mark_all_read(user=request.user)
    return redirect("inbox")
