-- wrk prints a human summary; bench/run needs numbers. This done() hook adds one line that
-- bench/lib/polybench/wrkrun.py parses. Latencies are in microseconds, as wrk records them.
-- It does not define request(), so wrk's -H headers (Connection: close) still apply.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "POLYBENCH requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d " ..
    "timeout=%d p50_us=%.0f p90_us=%.0f p99_us=%.0f mean_us=%.1f max_us=%.0f\n",
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max))
end
