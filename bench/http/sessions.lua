-- wrk script for the analytics benchmark: the 40-query mix of queries.lua (QUERIES_FILE), each
-- request carrying a reader's session id as the widget sends one, a new session every 8
-- requests, so the query log records what a real search box gives it (query, session, results).
local paths = {}
local counter, sent = 0, 0
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end

function init(args)
  local name = os.getenv("QUERIES_FILE") or "queries.txt"
  local f = assert(io.open(name, "r"), "cannot open " .. name)
  for line in f:lines() do
    if line ~= "" and line:sub(1, 1) ~= "#" then
      paths[#paths + 1] = "/search?q=" .. line
    end
  end
  f:close()
  assert(#paths > 0, "no queries in " .. name)
  counter = ((tid or 0) * 7) % #paths
end

function request()
  counter = counter % #paths + 1
  sent = sent + 1
  local session = string.format("bench%04d%08d", tid or 0, math.floor(sent / 8))
  return wrk.format("GET", paths[counter] .. "&session=" .. session)
end
