#!/bin/sh
# Maintenance of a group's detector, with kubectl (docs/operations.md, "Recover"):
#
#   deploy/scripts/detector-maintenance.sh NAMESPACE wipe            # empty /state
#   deploy/scripts/detector-maintenance.sh NAMESPACE backfill FILE   # load missed admissions
#
# Both scale the detector to 0 first (the store has one writer), run a helper pod that mounts the
# detector's volume (detector-state), do the work there, delete the helper and scale back to 1.
# After a wipe, the next start reloads /data/history.csv and the feed rewinds to message one.
# FILE for backfill: FSH/BSH (or FHS/BHS) batch text of the admissions missed (docs/detector.md).
set -eu

usage() {
  echo "usage: $0 NAMESPACE wipe | $0 NAMESPACE backfill FILE" >&2
  exit 2
}
[ $# -ge 2 ] || usage
ns="$1"
action="$2"
file="${3:-}"
case "$action" in
  wipe) [ $# -eq 2 ] || usage ;;
  backfill) if [ $# -ne 3 ] || [ ! -f "$file" ]; then usage; fi ;;
  *) usage ;;
esac

k() {
  kubectl --namespace "$ns" "$@"
}

helper=detector-maintenance
image=$(k get deployment/detector -o jsonpath='{.spec.template.spec.containers[0].image}')
overrides=$(cat <<EOF
{"spec": {
  "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001},
  "containers": [{
    "name": "$helper", "image": "$image", "command": ["sleep", "3600"],
    "volumeMounts": [{"name": "state", "mountPath": "/state"}],
    "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
    "securityContext": {"allowPrivilegeEscalation": false}
  }],
  "volumes": [{"name": "state", "persistentVolumeClaim": {"claimName": "detector-state"}}]
}}
EOF
)

finish() {
  k delete pod "$helper" --ignore-not-found --wait=true >/dev/null || true
  echo "detector-maintenance: scaling the detector back to 1"
  k scale deployment/detector --replicas=1
  k rollout status deployment/detector --timeout=600s
}

echo "detector-maintenance: scaling the detector in $ns to 0"
k scale deployment/detector --replicas=0
k wait --for=delete pod --selector=app.kubernetes.io/name=detector --timeout=120s || true
trap finish EXIT

k run "$helper" --image="$image" --restart=Never --overrides="$overrides"
k wait --for=condition=Ready "pod/$helper" --timeout=180s

case "$action" in
  wipe)
    k exec "$helper" -- sh -c 'find /state -mindepth 1 -maxdepth 1 ! -name lost+found -exec rm -rf {} + && ls -la /state'
    echo "detector-maintenance: /state wiped"
    ;;
  backfill)
    k cp "$file" "$helper:/state/backfill.batch"
    k exec "$helper" -- node /app/dist/cli/entry.js detect backfill /state/backfill.batch --state /state
    k exec "$helper" -- rm -f /state/backfill.batch
    echo "detector-maintenance: backfill of $file done"
    ;;
esac
