// The client's counters (`client.stats()`) in the Prometheus text format (version 0.0.4), for a
// `/metrics` endpoint. Serve it where only your monitoring can reach it: the counts reveal your
// traffic. Nothing here holds a phone number or a code; label values are rule and kind names.

/** Escape a label value: backslash, double quote and line feed, as the format requires. */
const label = (v) => String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')

function counter(lines, name, help, samples) {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`)
  for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`)
}

/**
 * @param {import('smsauth').Stats} stats
 * @returns {string}
 */
export function prometheusText(stats) {
  const lines = []
  counter(lines, 'smsauth_sends_total', 'SendSmsVerifyCode calls, whatever their outcome.', [['', stats.sends]])
  counter(lines, 'smsauth_checks_total', 'CheckSmsVerifyCode calls, whatever their outcome.', [['', stats.checks]])
  counter(lines, 'smsauth_check_passes_total', 'Checks whose code passed.', [['', stats.passes]])
  counter(
    lines,
    'smsauth_guard_denials_total',
    'Calls the abuse guard refused, by rule.',
    Object.entries(stats.guardDenials).map(([rule, n]) => [`{rule="${label(rule)}"}`, n]),
  )
  counter(
    lines,
    'smsauth_errors_total',
    'Failed calls, by error kind.',
    Object.entries(stats.errors).map(([kind, n]) => [`{kind="${label(kind)}"}`, n]),
  )
  const name = 'smsauth_call_duration_seconds'
  lines.push(`# HELP ${name} Call latency, retries included.`, `# TYPE ${name} histogram`)
  let cumulative = 0
  stats.latencyBoundsMs.forEach((ms, i) => {
    cumulative += stats.latencyBuckets[i]
    lines.push(`${name}_bucket{le="${ms / 1000}"} ${cumulative}`)
  })
  const count = stats.latencyBuckets.reduce((a, b) => a + b, 0)
  lines.push(`${name}_bucket{le="+Inf"} ${count}`, `${name}_sum ${stats.latencySumMs / 1000}`, `${name}_count ${count}`)
  return lines.join('\n') + '\n'
}
