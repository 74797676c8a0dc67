-- wrk script: POST a fixed JSON body, with bearer tokens taken in turn from BENCH_TOKENS (space-separated; none:
-- no Authorization header); report figures as one parseable line.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"

local tokens = {}
for token in string.gmatch(os.getenv("BENCH_TOKENS") or "", "%S+") do tokens[#tokens + 1] = token end
if #tokens == 1 then wrk.headers["Authorization"] = "Bearer " .. tokens[1] end
if #tokens > 1 then
  local requests = {}
  init = function(args)
    -- Pre-format one request per token; each thread starts at a different place in the list.
    for i, token in ipairs(tokens) do
      local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
      requests[i] = wrk.format("POST", nil, headers, wrk.body)
    end
  end
  local next = math.random(#tokens)
  request = function()
    next = next % #requests + 1
    return requests[next]
  end
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local non2xx = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d\n",
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, non2xx))
end
