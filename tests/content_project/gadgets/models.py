from django.db import models
from django.urls import reverse


class Gadget(models.Model):
    """Any product model: a title and an address, nothing of Oscar's."""

    title = models.CharField(max_length=100)

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("gadget-detail", args=[self.pk])
