#!/bin/sh
# Runs one Lambent service by name, as the container's main process: `exec` replaces this shell, so the
# service receives SIGTERM itself (and drains) and its exit ends the container, for the orchestrator to
# start it again (Kubernetes: restartPolicy Always and a liveness probe on /livez; Docker: --restart).
# Nothing here restarts it: a loop in the container would hide crashes from the orchestrator (restart
# counts, back-off, events) and stand between the service and its signals. The worker needs V8's
# snapshot off for isolated-vm.
set -e
case "$1" in
  frontend|scheduler) exec node "services/$1/dist/main.js" ;;
  worker) exec node --no-node-snapshot services/worker/dist/main.js ;;
  *) echo "usage: lambent-service frontend|scheduler|worker" >&2; exit 2 ;;
esac
