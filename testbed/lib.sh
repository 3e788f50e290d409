# Shell helpers shared by testbed/controlplane and testbed/registry (sourced, not run).

log() { echo "testbed: $*" >&2; }
die() { log "error: $*"; exit 1; }

# free_port prints a loopback TCP port that was free a moment ago. Callers still retry on
# "address already in use", because another process may take it before we bind.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# abs_dir creates DIR if needed and prints its absolute path.
abs_dir() {
  mkdir -p "$1" && (cd "$1" && pwd)
}

# alive PIDFILE succeeds while the process named in PIDFILE runs.
alive() {
  [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null
}

# start_bg NAME DIR CMD... runs CMD in its own session (so it leads a process group that
# stop_bg can kill whole), logging to DIR/NAME.log and writing DIR/NAME.pid.
start_bg() {
  local name=$1 dir=$2; shift 2
  # Not a group leader here (no job control), so setsid execs in place and $! is CMD's pid.
  setsid "$@" >"$dir/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/$name.pid"
}

# stop_bg NAME DIR sends TERM to the process group in DIR/NAME.pid, waits, then KILLs it.
stop_bg() {
  local pidfile=$2/$1.pid pid i
  [[ -s $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 -- "-$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 -- "-$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null; then
    log "$1 (pid $pid) ignored TERM for 10s, killing"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$pidfile"
}

# leftovers PROG TEXT prints pids of processes running PROG (argv[0] basename) whose command
# line contains TEXT, e.g. the DIR they were started for.
leftovers() {
  local p argv0 cmd
  for p in /proc/[0-9]*; do
    IFS= read -r -d '' argv0 <"$p/cmdline" 2>/dev/null || continue
    [[ ${argv0##*/} == "$1" ]] || continue
    cmd=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
    [[ $cmd == *"$2"* ]] && echo "${p#/proc/}"
  done
  return 0
}

# kill_leftovers PROG TEXT kills what leftovers finds and fails if something survives.
kill_leftovers() {
  local pids
  pids=$(leftovers "$1" "$2")
  [[ -z $pids ]] && return 0
  log "killing leftover $1 processes: $pids"
  kill -KILL $pids 2>/dev/null || true
  sleep 0.3
  pids=$(leftovers "$1" "$2")
  [[ -z $pids ]] || die "$1 processes still running for $2: $pids"
}

# apt_install PKG... installs Debian packages when running as root; apt-get update only if needed.
apt_install() {
  [[ $(id -u) == 0 ]] || die "missing packages $*; install them (apt-get install $*) or run as root"
  log "installing $* with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends "$@" >/dev/null; } ||
    die "apt-get install $* failed"
}
