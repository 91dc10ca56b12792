-- One wrk process drives one operation of bench/load.py: wrk -s bench/load.lua -- <op> <arg>
--   healthz | static      GET /healthz or /bench/static (bench/settings.py: the list's bytes)
--   list                  GET the dictionary list
--   get <count>           GET one of big-000 .. big-<count-1>, at random
--   create <prefix>       POST a new one-rule dictionary named <prefix>-<n>
--   delete <file>         DELETE the dictionaries named in <file>, one per line, in order
-- done() prints one RESULT line that bench/load.py reads.

local op, arg
local counter, names = 0, {}
local base = "/v1/pronunciation/dictionaries"

function init(args)
  op, arg = args[1], args[2]
  if op == "delete" then
    for line in io.lines(arg) do
      names[#names + 1] = line
    end
  end
  math.randomseed(os.time())
end

function request()
  counter = counter + 1
  if op == "healthz" then
    return wrk.format("GET", "/healthz")
  elseif op == "static" then
    return wrk.format("GET", "/bench/static")
  elseif op == "list" then
    return wrk.format("GET", base)
  elseif op == "get" then
    return wrk.format("GET", string.format("%s/big-%03d", base, math.random(0, tonumber(arg) - 1)))
  elseif op == "create" then
    local body = string.format(
      '{"name":"%s-%d","modes":{"rewrite":{"rules":[{"match":"Lexicon","replace":"lexicon"}]}}}',
      arg, counter)
    -- A headers table replaces wrk.headers (Host, Authorization), so copy them.
    local headers = { ["Content-Type"] = "application/json" }
    for name, value in pairs(wrk.headers) do
      headers[name] = value
    end
    return wrk.format("POST", base, headers, body)
  elseif op == "delete" then
    -- Past the end of the file the name does not exist: the 404s show up as errors.
    return wrk.format("DELETE", base .. "/" .. (names[counter] or "exhausted"))
  end
  error("unknown operation " .. tostring(op))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f\n",
    summary.duration, summary.requests, e.status, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, latency.mean))
end
