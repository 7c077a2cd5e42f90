import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebridge.settings")
application = get_wsgi_application()

# Article reads are counted in memory and written every few seconds (content/reads.py): in a
# server, by a thread of each process. Imported here, after setup, for the models it uses.
from carebridge.content import reads  # noqa: E402

reads.flush_in_background()
