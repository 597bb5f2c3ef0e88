-- wrk script for the soak: cycles through queries known to match (QUERIES_FILE, one query
-- string per line, already URL-encoded: "q=...&from_url=..."), and checks every response:
-- a status other than 2xx, or a body with "total":0 (a query that matched before now empty),
-- is counted. done() prints the counts as one JSON line for run.sh.
local queries = {}
local index = 0
-- Globals, so done() can read each thread's counts with thread:get().
bad_status, empty, responses = 0, 0, 0

function init(args)
  for line in io.lines(os.getenv("QUERIES_FILE")) do
    if #line > 0 then queries[#queries + 1] = line end
  end
  index = math.random(#queries)
end

function request()
  index = index % #queries + 1
  return wrk.format("GET", "/search?" .. queries[index])
end

function response(status, headers, body)
  responses = responses + 1
  if status < 200 or status > 299 then
    bad_status = bad_status + 1
  elseif string.find(body, '"total":0,', 1, true) then
    empty = empty + 1
  end
end

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency, requests)
  local b, e, r = 0, 0, 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad_status")
    e = e + t:get("empty")
    r = r + t:get("responses")
  end
  io.write(string.format('SOAK {"responses":%d,"bad_status":%d,"empty":%d,"p50_ms":%.3f,"p99_ms":%.3f,"requests":%d,"errors":%d}\n',
    r, b, e, latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status))
end
