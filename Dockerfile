# One image for every process of the app: gunicorn (the default), the Celery worker and beat.
# docker-compose.yml runs each of them with its own command.
# Bookworm: the Debian release whose package names below were checked.
FROM python:3.11-slim-bookworm

# WeasyPrint draws PDFs through Pango (which brings fontconfig and its font cache) and embeds
# only the glyphs used with harfbuzz-subset; Noto covers Latin, Arabic and Vietnamese.
# gettext compiles the translation catalogues below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core gettext \
    && rm -rf /var/lib/apt/lists/*

# Static files are collected into the image; uploads and beat's schedule live under VAR_DIR,
# where docker-compose.yml mounts volumes. GUNICORN_CMD_ARGS can be overridden from .env.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/var/lib/advocacy \
    STATIC_ROOT=/app/staticfiles \
    GUNICORN_CMD_ARGS="--bind 0.0.0.0:8000 --workers 3 --worker-tmp-dir /dev/shm --access-logfile -"

WORKDIR /app

# Dependencies first, read from pyproject.toml alone, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
# Editable, so `celery -A advocacy` imports the code in /app and settings find templates/,
# static/ and locale/ beside it. No dev extras: tests do not run in this image.
# The SECRET_KEY here only lets settings load at build time; the real one comes at run time.
RUN pip install --no-deps -e . \
    && mkdir -p locale \
    && DEBUG=0 SECRET_KEY=build-time-only python manage.py compilemessages \
    && DEBUG=0 SECRET_KEY=build-time-only python manage.py collectstatic --noinput -v0

# Run as an unprivileged user who may write only under VAR_DIR (volumes start from these
# directories, ownership included).
RUN useradd --system --user-group --no-create-home --home-dir /nonexistent advocacy \
    && mkdir -p /var/lib/advocacy/media /var/lib/advocacy/beat \
    && chown -R advocacy:advocacy /var/lib/advocacy
USER advocacy

EXPOSE 8000
CMD ["gunicorn", "advocacy.wsgi"]
