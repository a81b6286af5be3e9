#!/usr/bin/env bash
# Installs the system prerequisites of the local XOAUTH2 test bed (test/lab/):
# Dovecot 2.3 with IMAP and POP3 from Debian 12. Idempotent: does nothing when
# dovecot, /usr/lib/dovecot/imap and /usr/lib/dovecot/pop3 are already there.
# Runs as root (CI: fresh Debian 12, no stdin). npm deps come from the
# project's own `npm ci` (root node_modules), not from here.
#
# The packages' postinst would start the *system* Dovecot (listening on all
# interfaces on 110/143/993/995); a temporary /usr/sbin/policy-rc.d (exit 101)
# forbids that. The lab runs its own Dovecot instance on 127.0.0.1 only.
set -euo pipefail

have_dovecot() { command -v dovecot >/dev/null 2>&1 && [ -x /usr/lib/dovecot/imap ] && [ -x /usr/lib/dovecot/pop3 ]; }

if have_dovecot; then
  echo "install-lab: dovecot already installed ($(dovecot --version 2>/dev/null || echo '?'))" >&2
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-lab: must run as root to apt-get install dovecot-core dovecot-imapd dovecot-pop3d" >&2
  exit 1
fi

LOG="$(mktemp -t install-lab-apt.XXXXXX)"
export DEBIAN_FRONTEND=noninteractive
apt_retry() { # apt-get that waits (<= 20 x 30 s on top of DPkg::Lock::Timeout) while another process holds the dpkg/apt lock
  local i
  for i in $(seq 1 20); do
    if apt-get -o DPkg::Lock::Timeout=120 "$@" >"$LOG" 2>&1 </dev/null; then return 0; fi
    if grep -qiE 'Could not get lock|Unable to lock|is held by process|Unable to acquire' "$LOG"; then
      echo "install-lab: apt/dpkg locked by another process, retry $i/20 in 30 s" >&2; sleep 30; continue
    fi
    cat "$LOG" >&2; return 1
  done
  echo "install-lab: apt still locked after 10 min" >&2; return 1
}

added_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\n# temporary, added by .ci/install-lab.sh: no service starts during install\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  added_policy=1
fi
cleanup() { if (( added_policy )); then rm -f /usr/sbin/policy-rc.d; fi; rm -f "$LOG"; }
trap cleanup EXIT

t0=$(date +%s)
apt_retry update
apt_retry install -y --no-install-recommends dovecot-core dovecot-imapd dovecot-pop3d
# Belt and braces: if a system Dovecot got started anyway, stop it (the lab uses its own instance).
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet dovecot 2>/dev/null; then systemctl stop dovecot || true; fi
have_dovecot || { echo "install-lab: dovecot still missing after apt-get install" >&2; exit 1; }
echo "install-lab: installed $(dovecot --version) in $(( $(date +%s) - t0 )) s" >&2
