"""bench/load.py's server settings: production's, plus the bench's ceiling URL.

``GET /bench/static`` answers a fixed body (the file named by ``LEXICON_BENCH_STATIC_BODY``, the
list's own bytes) through the same gunicorn, middleware and WSGI handler as the API, doing no
other work: the honest ceiling for a 750 KB response is writing 750 KB. Only bench/load.py
starts a server with these settings; production's URLs (config.urls) never hold that path.
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
