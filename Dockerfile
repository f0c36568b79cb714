# The API and the worker for deployment, on external PostgreSQL and Redis
# (APPEALS_DATABASE_URL, APPEALS_REDIS_URL). The embedded servers of `make run` are not included.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md alembic.ini ./
COPY src ./src
COPY migrations ./migrations
RUN pip install . && useradd --system --uid 10001 appeals
USER appeals

EXPOSE 8000
# The same process `make api` runs (`appeals_api.serving` builds uvicorn's command line for every
# launcher): JSON lines with request ids and the API's own access line instead of uvicorn's (no
# raw paths or query strings); APPEALS_WEB_CONCURRENCY API processes (uvicorn --workers), each
# with its own connection pools (README, "Several processes"); the request-head time-out and
# the connection limits (README, "Slow and idle connections"). The worker is
# `python -m appeals_api.worker` (one container per worker process).
CMD ["python", "-m", "appeals_api.serving", "--host", "0.0.0.0", "--port", "8000"]
