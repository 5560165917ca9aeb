from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from .models import Gadget


def gadget_detail(request, pk):
    return HttpResponse(get_object_or_404(Gadget, pk=pk).title)
