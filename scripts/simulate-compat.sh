#!/bin/sh
# The simulator with the course simulator's NAK behaviour, for the conformance driver (--bin).
exec node "$(dirname "$0")/../bin/swemls.js" simulate --on-nak=advance "$@"
