-- One logged-in registrant per request, taken in turn from the sessions file
-- (a different person for each join). Environment: SESSIONS, METHOD, BODY.
local sessions = {}
for line in io.lines(os.getenv("SESSIONS")) do
  local sid, csrf = line:match("(%S+) (%S+)")
  sessions[#sessions + 1] = {sid = sid, csrf = csrf}
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

request = function()
  counter = counter + 1
  local s = sessions[(counter % #sessions) + 1]
  local headers = {
    ["Cookie"] = "sessionid=" .. s.sid .. "; csrftoken=" .. s.csrf,
    ["X-CSRFToken"] = s.csrf,
    ["Accept-Encoding"] = "gzip",
  }
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format("POST", nil, headers, body)
  end
  return wrk.format("GET", nil, headers, nil)
end

done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_s": %.3f, "rps": %.1f, "p50_ms": %.2f, "p99_ms": %.2f, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout))
end
