# Sourced by scripts/test.sh and scripts/test-python-versions.sh: `ci_step TITLE` prints a CI log's step line,
# "== TITLE [20:31:05 UTC, 742 s in, previous step 373 s]", so that a log shows where a run's time went. The run's
# start and the current step's start are exported, so a script that test.sh starts keeps counting from them.
: "${PYFN_CI_STARTED:=$(date +%s)}"
export PYFN_CI_STARTED

# Prints "== TITLE [time of day, seconds since the run began, seconds since the previous step line]".
ci_step() {
  local now previous
  now=$(date +%s)
  previous=${PYFN_CI_STEP_STARTED:-$now}
  echo "== $* [$(date -u +%H:%M:%S) UTC, $((now - PYFN_CI_STARTED)) s in, previous step $((now - previous)) s]"
  PYFN_CI_STEP_STARTED=$now
  export PYFN_CI_STEP_STARTED
}
