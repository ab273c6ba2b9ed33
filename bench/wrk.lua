-- One request shape per run. Environment: SESSIONS, METHOD, BODY.
-- With SESSIONS set: one logged-in registrant per request, taken in turn from
-- the sessions file (a different person for each join). Without it: an
-- anonymous visitor with no cookies (the bare yardstick and the anonymous hello).
local sessions = {}
local path = os.getenv("SESSIONS") or ""
if path ~= "" then
  for line in io.lines(path) do
    local sid, csrf = line:match("(%S+) (%S+)")
    sessions[#sessions + 1] = {sid = sid, csrf = csrf}
  end
end
local method = os.getenv("METHOD") or "GET"
local body = os.getenv("BODY")
local counter = 0
local threads = {}

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = offset * 100003
end

if #sessions == 0 and method == "GET" then
  -- The same request every time: wrk sends it as is, spending no Lua per request.
  wrk.headers["Accept-Encoding"] = "gzip"
else
  request = function()
    local headers = {["Accept-Encoding"] = "gzip"}
    if #sessions > 0 then
      counter = counter + 1
      local s = sessions[(counter % #sessions) + 1]
      headers["Cookie"] = "sessionid=" .. s.sid .. "; csrftoken=" .. s.csrf
      headers["X-CSRFToken"] = s.csrf
    end
    if method == "POST" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
      return wrk.format("POST", nil, headers, body)
    end
    return wrk.format("GET", nil, headers, nil)
  end
end

done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_s": %.3f, "rps": %.1f, "p50_ms": %.2f, "p99_ms": %.2f, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout))
end
