#!/bin/sh
# Init container of the detector: keeps /state only while the feed is the same one.
# A store filled from one simulator run makes the detector treat a new run's results as
# duplicates (same MRN and time) and page nothing, so a new FEED_ID wipes the store first.
# FEED_ID: anything that names the feed, e.g. "<simulator address>/<run>". Same FEED_ID: keep.
set -eu
state="${STATE_DIR:-/state}"
feed="${FEED_ID:?state-guard: FEED_ID must be set}"
marker="$state/.feed-id"

if [ ! -d "$state" ]; then
  echo "state-guard: $state is not a directory" >&2
  exit 1
fi

if [ -f "$marker" ]; then
  old="$(cat "$marker")"
  if [ "$old" = "$feed" ]; then
    echo "state-guard: same feed '$feed': keeping $state"
    exit 0
  fi
  echo "state-guard: feed changed from '$old' to '$feed': wiping $state"
else
  echo "state-guard: no feed recorded in $state: wiping it for feed '$feed'"
fi

# Everything but the file system's own lost+found.
find "$state" -mindepth 1 -maxdepth 1 ! -name lost+found -exec rm -rf {} +
printf '%s\n' "$feed" > "$marker.tmp"
mv "$marker.tmp" "$marker"
echo "state-guard: recorded feed '$feed'"
