# The API image used by docker-compose.yml (server mode: PostgreSQL and Redis are services).
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .
ENV DENTALAGENT_HOME=/data
EXPOSE 8000
CMD ["dentalagent", "serve", "--host", "0.0.0.0", "--port", "8000"]
