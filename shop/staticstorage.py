"""The production storage of static files: WhiteNoise's compressed manifest storage, with each
file's URL worked out once per process.

A page names a dozen static files ({% static %}: styles, scripts, the logo, icons) and each url()
call costs tens of microseconds (the manifest look-up, quoting and joining), about half a
millisecond of every render. The manifest is read when the process starts and a deploy starts new
processes, so a name's URL cannot change while one runs."""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls = {}

    def url(self, name, force=False):
        key = (name, force, settings.DEBUG)  # with DEBUG on, Django serves the unhashed name
        url = self._urls.get(key)
        if url is None:
            url = self._urls[key] = super().url(name, force)  # a missing file raises, and is not kept
        return url
