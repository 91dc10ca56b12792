# Shared steps of .ci/run and .ci/serve: a virtual environment with the project installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

ensure_venv() {
  # ensure_venv [EXTRA]: the project, plus an optional extra of pyproject.toml (.ci/run: test).
  # The service alone (.ci/serve) needs no extra: any install of this pyproject.toml has it.
  local extra="${1:-}" hash
  hash=$(cat pyproject.toml clients/python/pyproject.toml | sha256sum | cut -c1-16)
  if [ -z "$extra" ] && compgen -G ".venv/.installed-$hash*" >/dev/null; then return; fi
  local stamp=".venv/.installed-$hash${extra:+-$extra}"
  [ -f "$stamp" ] && return
  if [ -n "$extra" ]; then
    echo "==> installing the project and its $extra tools"
  else
    echo "==> installing the project"
  fi
  install_project ".${extra:+[$extra]}"
  touch "$stamp"
}

install_project() {
  # install_project SPEC: the project as SPEC, and the `lexicon` command's own distribution
  # (clients/python) beside it, so that .venv/bin/lexicon is this checkout's. uv (from PyPI)
  # resolves and downloads in parallel: on a fresh clone the test tools took 93 s and 25 s of
  # processor time, pip 14 min and 2 min 40 s (on this 2-core machine under other load). pip does it when uv cannot be had or fails. uv reads no
  # pip.conf: it asks PyPI, and resolves the same versions as pip (the highest in the ranges).
  local spec="$1"
  if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv with $PYTHON"
    "$PYTHON" -m venv --without-pip .venv
  fi
  if ensure_uv; then
    # pip too, so that .venv/bin/pip works as in any virtual environment. Bytecode compiled
    # now, as pip does: with PYTHONDONTWRITEBYTECODE set, every process would compile each
    # module it imports again (Django's start-up took twice as long).
    if "$UV" pip install --quiet --compile-bytecode --python .venv/bin/python -e "$spec" \
      -e clients/python pip; then
      return
    fi
    echo "==> uv could not install the project; pip tries"
  fi
  [ -x .venv/bin/pip ] || .venv/bin/python -m ensurepip --upgrade --default-pip >/dev/null
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec" -e clients/python
}

compile_sources() {
  # The project's modules compiled once (about a second): with PYTHONDONTWRITEBYTECODE set, as
  # on CI, each process the tests and the local run start (manage.py, workers, servers, the CLI)
  # would compile every module it imports again, about half a second of Django's start-up.
  .venv/bin/python -m compileall -q -j 0 config core orgs pronunciations sync webhooks >/dev/null
}

ensure_uv() {
  # Sets UV: uv on PATH, else the one installed with the interpreter's pip into the user's cache
  # folder, once for every clone (pip takes about 25 s to fetch it).
  UV=$(command -v uv || true)
  [ -n "$UV" ] && return 0
  local home="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/lexicon-uv"
  UV="$home/bin/uv"
  [ -x "$UV" ] && return 0
  "$PYTHON" -m pip install --quiet --disable-pip-version-check --prefix "$home" uv \
    >/dev/null 2>&1 && [ -x "$UV" ]
}

ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return; fi
  echo "==> starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && return
    sleep 1
  done
  echo "PostgreSQL did not start" >&2
  exit 1
}

ensure_redis() {
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then return; fi
  echo "==> starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return
    sleep 1
  done
  echo "Redis did not start" >&2
  exit 1
}

ensure_chromium() {
  # The browser tests drive Debian's Chromium through Playwright (no browser download).
  if [ -x /usr/bin/chromium ]; then return; fi
  echo "==> installing Debian's chromium"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
}

ensure_espeak() {
  # The SLNG emulator speaks the rewritten text with Debian's espeak-ng (a tone without it).
  # ensure_espeak optional (.ci/serve): without it, and without root to install it, say so in
  # one line and go on; .ci/run installs it (its speech tests need it).
  if command -v espeak-ng >/dev/null 2>&1; then return; fi
  if [ "${1:-}" = optional ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
      echo "==> espeak-ng is not installed: Listen plays a tone instead of speech" \
        "(install Debian's espeak-ng for words)"
      return
    fi
  fi
  echo "==> installing Debian's espeak-ng"
  if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q espeak-ng; } \
    >/dev/null 2>&1; then
    [ "${1:-}" = optional ] || { echo "could not install espeak-ng" >&2; exit 1; }
    echo "==> espeak-ng could not be installed: Listen plays a tone instead of speech"
  fi
}

ensure_compose() {
  # Only `docker-compose config` runs here (there is no Docker engine): it validates the file.
  if command -v docker-compose >/dev/null 2>&1; then return; fi
  echo "==> installing Debian's docker-compose (to validate docker-compose.yml)"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose >/dev/null
}
