-- Logins per second: email and password through allauth's login form, each
-- request a different seeded registrant (one per line of LOGINS: "<email>
-- <csrf>"). The CSRF token is the cookie's secret sent back in X-CSRFToken,
-- as a page's JavaScript would (Django accepts the unmasked secret). A login
-- counts only when the answer is the 302 to the dashboard. Environment:
-- LOGINS, PASSWORD, NEXT (the dashboard's path).
local users = {}
for line in io.lines(os.getenv("LOGINS")) do
  local email, csrf = line:match("(%S+) (%S+)")
  users[#users + 1] = {email = email, csrf = csrf}
end
local password = os.getenv("PASSWORD")
local next_path = os.getenv("NEXT") or "/dashboard/"
local counter = 0
-- globals, so that done() can read each thread's counts with thread:get
ok, other, statuses = 0, 0, ""
local threads = {}

local function encode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = offset * 100003
end

request = function()
  counter = counter + 1
  local u = users[(counter % #users) + 1]
  -- Each registrant signs in from an address of their own, as many people
  -- behind the load balancer would (the server trusts one proxy hop).
  local n = (counter % #users) + 1
  local headers = {
    ["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256),
    ["Cookie"] = "csrftoken=" .. u.csrf,
    ["X-CSRFToken"] = u.csrf,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept-Encoding"] = "gzip",
  }
  return wrk.format("POST", nil, headers, "login=" .. encode(u.email) .. "&password=" .. encode(password))
end

response = function(status, headers, body)
  local location = headers["Location"] or headers["location"]
  if status == 302 and location == next_path then
    ok = ok + 1
  else
    other = other + 1
    if other <= 5 then
      statuses = statuses .. status .. " " .. tostring(location) .. "; "
    end
  end
end

done = function(summary, latency, requests)
  local logged_in, refused, seen = 0, 0, ""
  for _, thread in ipairs(threads) do
    logged_in = logged_in + thread:get("ok")
    refused = refused + thread:get("other")
    seen = seen .. thread:get("statuses")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "duration_s": %.3f, "rps": %.1f, "p50_ms": %.2f, "p99_ms": %.2f, "errors": %d, '
      .. '"logins": %d, "not_logged_in": %d, "logins_per_s": %.1f, "not_logged_in_examples": "%s"}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout, logged_in, refused, logged_in / seconds, seen))
end
