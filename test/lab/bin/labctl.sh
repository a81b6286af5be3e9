#!/usr/bin/env bash
# Start/stop the local XOAUTH2 test bed: OAuth2 authority (HTTPS, Entra stand-in),
# SMTP (smtp-server), IMAP/POP3 (Dovecot 2.3) and a Microsoft Graph sendMail stand-in (HTTPS), all on 127.0.0.1.
#   test/lab/bin/labctl.sh install  # apt: dovecot-core dovecot-imapd dovecot-pop3d (root; skips if present)
#   test/lab/bin/labctl.sh start    # prints "export ..." lines, also saved in $LAB_RUN/lab.env
#   test/lab/bin/labctl.sh stop     # stops everything it started (process groups), no leftovers
#   test/lab/bin/labctl.sh status   # exit 0 when all four parts run, 3 otherwise
#   test/lab/bin/labctl.sh env      # prints the export lines (lab need not run)
# npm deps (jose, smtp-server, ...) come from the project's root node_modules (npm ci).
# Env: LAB_RUN (default <repo>/.test-tmp/lab, gitignored), LAB_OAUTH_PORT 18443,
# LAB_SMTP_PORT 18587, LAB_SMTPS_PORT 18465, LAB_IMAP_PORT 18143, LAB_IMAPS_PORT 18993,
# LAB_POP3_PORT 18110, LAB_POP3S_PORT 18995, LAB_GRAPH_PORT 18444; fault-injection baseline: LAB_TOKEN_TTL_SECONDS,
# LAB_FAULT_SMTP_AUTH_DISABLED, LAB_SMTP_SEND_AS_CHECK, LAB_SMTP_XOAUTH2_FAILURE,
# LAB_FAULT_DISABLED_PROTOCOLS, LAB_FAULT_TOKEN_ERROR (see test/lab/README.md).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"   # <repo>/test/lab
REPO="$(cd "$HERE/../.." && pwd)"
export LAB_RUN="${LAB_RUN:-$REPO/.test-tmp/lab}"
export LAB_OAUTH_PORT="${LAB_OAUTH_PORT:-18443}" LAB_SMTP_PORT="${LAB_SMTP_PORT:-18587}" LAB_SMTPS_PORT="${LAB_SMTPS_PORT:-18465}"
export LAB_GRAPH_PORT="${LAB_GRAPH_PORT:-18444}"
export LAB_IMAP_PORT="${LAB_IMAP_PORT:-18143}" LAB_IMAPS_PORT="${LAB_IMAPS_PORT:-18993}" LAB_POP3_PORT="${LAB_POP3_PORT:-18110}" LAB_POP3S_PORT="${LAB_POP3S_PORT:-18995}"
export LAB_MAIL_UID="${LAB_MAIL_UID:-$(id -u nobody)}" LAB_MAIL_GID="${LAB_MAIL_GID:-$(getent group nogroup | cut -d: -f3)}"
PIDS="$LAB_RUN/pids"; LOGS="$LAB_RUN/logs"
NAMES=(authority smtp graph dovecot)
ms() { date +%s%3N; }
log() { echo "[labctl $(date +%H:%M:%S)] $*" >&2; }
cfg() { node -e "const c=require(process.argv[1]); process.stdout.write(String($1))" "$HERE/lab.config.json"; }

# Dovecot-side directory (its base_dir with unix sockets, state, rendered config,
# certs it reads, Maildirs). Normally = LAB_RUN. Dovecot's processes read it as
# uid nobody/dovecot and unix socket paths are limited to 107 bytes, so when
# LAB_RUN is too long or not reachable for "nobody" (e.g. a checkout under
# /root, mode 700) a short directory under /tmp is used instead and linked as
# $LAB_RUN/dovecot-side. Recorded in $LAB_RUN/dovecot-dir at start.
dovecot_dir() {
  if [ -n "${LAB_DOVECOT_DIR:-}" ]; then echo "$LAB_DOVECOT_DIR"; return; fi
  if [ -s "$LAB_RUN/dovecot-dir" ]; then cat "$LAB_RUN/dovecot-dir"; return; fi
  echo "$LAB_RUN"
}
choose_dovecot_dir() {
  local d="$LAB_RUN" ok=1
  if [ -n "${LAB_DOVECOT_DIR:-}" ]; then mkdir -p "$LAB_DOVECOT_DIR"; echo "$LAB_DOVECOT_DIR" > "$LAB_RUN/dovecot-dir"; echo "$LAB_DOVECOT_DIR"; return; fi
  (( ${#d} <= 64 )) || { ok=0; log "LAB_RUN is ${#d} chars (> 64): Dovecot's unix socket paths would be too long"; }
  if (( ok )) && [ "$(id -u)" = 0 ]; then
    if ! runuser -u nobody -- test -x "$d" 2>/dev/null; then ok=0; log "LAB_RUN is not reachable for uid nobody (a parent dir lacks o+x)"; fi
  fi
  if (( ! ok )); then
    d="/tmp/mail-oauth-lab.$(printf '%s' "$LAB_RUN" | sha256sum | cut -c1-10)"
    log "Dovecot-side files go to $d (linked as $LAB_RUN/dovecot-side)"
    mkdir -p "$d"; chmod 755 "$d"; ln -sfn "$d" "$LAB_RUN/dovecot-side"
  fi
  echo "$d" > "$LAB_RUN/dovecot-dir"
  echo "$d"
}

port_listening() { # port: true if anything listens on it (127.0.0.1, 0.0.0.0 or ::)
  local hex; hex=$(printf '%04X' "$1")
  grep -qiE "^ *[0-9]+: (0100007F|00000000):$hex [0-9A-F]{8}:0000 0A " /proc/net/tcp \
    || grep -qiE "^ *[0-9]+: [0-9A-F]{32}:$hex [0-9A-F]{32}:0000 0A " /proc/net/tcp6 2>/dev/null
}
wait_port() { # port seconds: poll /proc/net/tcp for a LISTEN socket on 127.0.0.1:port (no probe connection, no log noise)
  local hex end; hex=$(printf '0100007F:%04X' "$1"); end=$(( $(date +%s) + $2 ))
  while (( $(date +%s) < end )); do
    grep -q " $hex 00000000:0000 0A " /proc/net/tcp && return 0
    sleep 0.05
  done
  log "timeout waiting for 127.0.0.1:$1"; return 1
}
all_ports() { echo "$LAB_OAUTH_PORT $LAB_GRAPH_PORT $LAB_SMTP_PORT $LAB_SMTPS_PORT $LAB_IMAP_PORT $LAB_IMAPS_PORT $LAB_POP3_PORT $LAB_POP3S_PORT"; }

install_prereqs() { bash "$REPO/.ci/install-lab.sh"; }

make_certs() {
  local d="$LAB_RUN/certs"
  [ -s "$d/server.crt" ] && [ -s "$d/ca.crt" ] && return 0
  mkdir -p "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -keyout "$d/ca.key" -out "$d/ca.crt" -subj "/CN=mail-oauth-migrator lab test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/server.key" -out "$d/server.csr" -subj "/CN=127.0.0.1" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:*.lab.test\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' > "$d/server.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 825 -out "$d/server.crt" -extfile "$d/server.ext" 2>/dev/null
  chmod 644 "$d/ca.crt" "$d/server.crt"; chmod 600 "$d/ca.key" "$d/server.key"
}

render() { # template -> output
  sed -e "s#@DOVE@#$DOVE#g" -e "s#@LOGDIR@#$LOGS#g" -e "s#@TENANT@#$TENANT#g" -e "s#@OAUTH_PORT@#$LAB_OAUTH_PORT#g" \
      -e "s#@IMAP_PORT@#$LAB_IMAP_PORT#g" -e "s#@IMAPS_PORT@#$LAB_IMAPS_PORT#g" \
      -e "s#@POP3_PORT@#$LAB_POP3_PORT#g" -e "s#@POP3S_PORT@#$LAB_POP3S_PORT#g" \
      -e "s#@MAIL_UID@#$LAB_MAIL_UID#g" -e "s#@MAIL_GID@#$LAB_MAIL_GID#g" "$1" > "$2"
}

envfile() {
  local tenant client secret pclient; tenant=$(cfg c.tenantId)
  client=$(cfg c.apps[0].clientId); secret=$(cfg c.apps[0].clientSecret); pclient=$(cfg c.publicClients[0].clientId)
  cat <<EOF
export LAB_RUN='$LAB_RUN'
export NODE_EXTRA_CA_CERTS='$LAB_RUN/certs/ca.crt'
export LAB_HOST=127.0.0.1 LAB_TLS_SERVERNAME=localhost
export LAB_OAUTH_PORT=$LAB_OAUTH_PORT LAB_SMTP_PORT=$LAB_SMTP_PORT LAB_SMTPS_PORT=$LAB_SMTPS_PORT
export LAB_GRAPH_PORT=$LAB_GRAPH_PORT LAB_GRAPH_ENDPOINT='https://127.0.0.1:$LAB_GRAPH_PORT'
export LAB_IMAP_PORT=$LAB_IMAP_PORT LAB_IMAPS_PORT=$LAB_IMAPS_PORT LAB_POP3_PORT=$LAB_POP3_PORT LAB_POP3S_PORT=$LAB_POP3S_PORT
export LAB_AUTHORITY='https://127.0.0.1:$LAB_OAUTH_PORT/$tenant'
export LAB_MAIL_DIR='$(dovecot_dir)/mail'
export MAIL_OAUTH_TENANT_ID='$tenant'
export MAIL_OAUTH_CLIENT_ID='$client'
export MAIL_OAUTH_CLIENT_SECRET='$secret'
export MAIL_OAUTH_PUBLIC_CLIENT_ID='$pclient'
export MAIL_OAUTH_AUTHORITY='https://127.0.0.1:$LAB_OAUTH_PORT/$tenant'
export MAIL_OAUTH_KNOWN_AUTHORITY='127.0.0.1:$LAB_OAUTH_PORT'
export MAIL_OAUTH_USER='$(cfg c.apps[0].mailbox)'
EOF
}

pid_alive() { local pid; pid=$(cat "$PIDS/$1.pid" 2>/dev/null || true); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

start_bg() { # name cmd...: own session + process group (pgid = pid), so stop can reap every child
  local name=$1; shift
  setsid nohup "$@" >"$LOGS/$name.log" 2>&1 </dev/null 9>&- &  # 9>&-: the servers must not inherit the lock fd
  echo $! > "$PIDS/$name.pid"
}

start() {
  local t0 n=0 name p; t0=$(ms)
  for name in "${NAMES[@]}"; do pid_alive "$name" && n=$((n + 1)); done
  if (( n == ${#NAMES[@]} )); then log "already running (run dir $LAB_RUN)"; envfile; return 0; fi
  if (( n > 0 )); then log "partly running ($n/${#NAMES[@]}), restarting"; stop; fi
  command -v dovecot >/dev/null || { log "dovecot missing: run '$0 install' (or .ci/install-lab.sh) first"; return 1; }
  if [ ! -d "$REPO/node_modules/smtp-server" ] || [ ! -d "$REPO/node_modules/jose" ]; then log "node deps missing: run 'npm ci' in $REPO"; return 1; fi
  for p in $(all_ports); do
    if port_listening "$p"; then log "port $p is already in use (another lab instance? set LAB_*_PORT to move this one)"; return 1; fi
  done
  TENANT=$(cfg c.tenantId)
  mkdir -p "$LAB_RUN"/{pids,logs,outbox}
  chmod 755 "$LAB_RUN"
  rm -f "$LAB_RUN/dovecot-dir"
  DOVE=$(choose_dovecot_dir)
  mkdir -p "$DOVE"/{etc,dovecot,dovecot-state,mail}
  chmod 755 "$DOVE"/{etc,mail}
  chown "$LAB_MAIL_UID:$LAB_MAIL_GID" "$DOVE/mail" 2>/dev/null || true
  make_certs
  if [ "$DOVE" != "$LAB_RUN" ]; then mkdir -p "$DOVE/certs"; cp "$LAB_RUN"/certs/{ca.crt,server.crt,server.key} "$DOVE/certs/"; fi
  render "$HERE/dovecot/dovecot.conf.in" "$DOVE/etc/dovecot.conf"
  render "$HERE/dovecot/dovecot-oauth2.conf.ext.in" "$DOVE/etc/dovecot-oauth2.conf.ext"
  : > "$DOVE/etc/basic-auth-disabled.passwd"
  chmod 644 "$DOVE"/etc/*
  envfile > "$LAB_RUN/lab.env"
  # shellcheck disable=SC1091
  . "$LAB_RUN/lab.env"
  start_bg authority node "$HERE/servers/authority.mjs"
  wait_port "$LAB_OAUTH_PORT" 20 || { log "authority failed to start:"; tail -n 30 "$LOGS/authority.log" >&2; stop; return 1; }
  start_bg smtp node "$HERE/servers/smtp.mjs"
  start_bg graph node "$HERE/servers/graph.mjs"
  start_bg dovecot dovecot -F -c "$DOVE/etc/dovecot.conf"
  for p in $(all_ports); do
    wait_port "$p" 20 || { log "start failed; logs:"; tail -n 30 "$LOGS"/*.log >&2; stop; return 1; }
  done
  curl -fsS --cacert "$LAB_RUN/certs/ca.crt" "https://127.0.0.1:$LAB_OAUTH_PORT/_lab/health" >/dev/null
  log "bed up in $(( $(ms) - t0 )) ms (run dir $LAB_RUN)"
  envfile
}

group_alive() { kill -0 -- "-$1" 2>/dev/null; } # any process left in process group $1

stop() {
  local t0 name pid alive; t0=$(ms)
  local -a pgids=()
  for name in dovecot smtp graph authority; do # TERM all at once, then wait
    [ -s "$PIDS/$name.pid" ] || continue
    pid=$(cat "$PIDS/$name.pid"); rm -f "$PIDS/$name.pid"
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    # setsid made each server a process-group leader: pgid = pid (Dovecot's children are in it too)
    if group_alive "$pid"; then kill -TERM "$pid" 2>/dev/null || true; pgids+=("$pid"); fi
  done
  for _ in $(seq 1 200); do # at most 10 s for the leaders (Dovecot needs ~2-3 s)
    alive=0; for pid in "${pgids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    (( alive )) || break; sleep 0.05
  done
  for _ in $(seq 1 40); do # then up to 2 s for children the leaders were reaping
    alive=0; for pid in "${pgids[@]}"; do group_alive "$pid" && alive=1; done
    (( alive )) || break; sleep 0.05
  done
  for pid in "${pgids[@]}"; do
    if group_alive "$pid"; then log "process group $pid still alive, sending KILL"; kill -KILL -- "-$pid" 2>/dev/null || true; fi
  done
  log "bed down in $(( $(ms) - t0 )) ms"
}

status() {
  local name pid rc=0
  for name in "${NAMES[@]}"; do
    pid=$(cat "$PIDS/$name.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      echo "$name running pid=$pid processes=$(pgrep -g "$pid" 2>/dev/null | wc -l)"
    else echo "$name stopped"; rc=3; fi
  done
  echo "run dir $LAB_RUN"
  return $rc
}

lock() { # serialise start/stop/restart of one run dir (parallel test runners)
  mkdir -p "$LAB_RUN"
  exec 9>"$LAB_RUN/.labctl.lock"
  flock -w 120 9 || { log "could not get $LAB_RUN/.labctl.lock within 120 s"; exit 1; }
}

case "${1:-}" in
  start|stop|restart) lock ;;
esac
case "${1:-}" in
  install) install_prereqs ;;
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  env) envfile ;;
  *) echo "usage: $0 install|start|stop|restart|status|env" >&2; exit 2 ;;
esac
