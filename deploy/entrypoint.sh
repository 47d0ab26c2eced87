#!/bin/sh
# Runs one Lambent service by name; the worker needs V8's snapshot off for isolated-vm.
set -e
case "$1" in
  frontend|scheduler) exec node "services/$1/dist/main.js" ;;
  worker) exec node --no-node-snapshot services/worker/dist/main.js ;;
  *) echo "usage: lambent-service frontend|scheduler|worker" >&2; exit 2 ;;
esac
