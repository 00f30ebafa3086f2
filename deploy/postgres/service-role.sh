#!/bin/sh
# Runs once, when the postgres volume is first initialised (docker-entrypoint-initdb.d).
# The service logs in as legal_app, which owns nothing: migrations run as the owner
# (DATABASE_OWNER_URL), which grants legal_app every table but no UPDATE, DELETE or
# TRUNCATE on audit_logs and destruction_acts. For a volume made before this file existed,
# run the same statement once by hand (docs/deploy.md).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_password="$POSTGRES_APP_PASSWORD" <<'SQL'
CREATE ROLE legal_app LOGIN PASSWORD :'app_password';
SQL
