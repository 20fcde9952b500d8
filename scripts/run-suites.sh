# Runs the suites listed in the array SUITES, in order (sourced by scripts/test-all.sh and by
# scripts/tests/run-suites.sh, which tests it). A listed suite that is missing or not executable
# is a failure, not a skip: a renamed script or a lost mode bit must not quietly drop a whole
# language from a green run.
#
# run_suites NAME...: returns non-zero at the first suite that fails or cannot be run.
run_suites() {
  local suite
  for suite in "$@"; do
    if [[ ! -f $suite ]]; then
      echo "FAIL: listed suite $suite does not exist (update SUITES in scripts/test-all.sh)" >&2
      return 1
    fi
    if [[ ! -x $suite ]]; then
      echo "FAIL: listed suite $suite is not executable (chmod +x $suite)" >&2
      return 1
    fi
    printf '\n==> %s\n' "$suite"
    "$suite" || return
  done
}
