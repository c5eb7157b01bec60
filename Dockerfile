# Interview Workspace: the same steps as startup.sh, in a container.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt

COPY . .
RUN useradd --create-home workspace && mkdir -p /app/data/runtime && chown -R workspace /app/data/runtime
USER workspace

EXPOSE 8501
VOLUME ["/app/data/runtime"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=5 \
  CMD curl -fsS http://localhost:8501/_stcore/health || exit 1

# One container on its own: migrate, a job worker beside the server (docker-compose.yml runs them apart)
CMD ["sh", "-c", "python -m core db upgrade && { python -m core worker & } && exec streamlit run server.py --server.port 8501 --server.address 0.0.0.0"]
