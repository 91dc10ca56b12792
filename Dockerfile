# Lexicon: one image for the web server, the Celery worker and beat (and the emulator profile).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# espeak-ng: the emulator profile speaks the rewritten text with it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends espeak-ng \
    && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml README.md ./
COPY config ./config
COPY orgs ./orgs
COPY pronunciations ./pronunciations
COPY sync ./sync
COPY manage.py ./
# Static files are collected with the production settings' storage, which writes the manifest
# of hashed names production reads (without it every admin page fails). collectstatic opens no
# database and uses no secret: the placeholders only let the settings load (production checks
# that LEXICON_ENCRYPTION_KEY is a well-formed Fernet key, so its placeholder is one).
RUN pip install . \
    && useradd --system --uid 10001 lexicon \
    && DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=collectstatic-only \
       ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/unused.sqlite3 \
       LEXICON_ENCRYPTION_KEY=Y29sbGVjdHN0YXRpYy1vbmx5LW5vdC1hLXNlY3JldCE= python manage.py collectstatic --noinput

USER lexicon
EXPOSE 8000
CMD ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
