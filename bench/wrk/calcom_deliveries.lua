-- wrk script for bench/webhooks.py --sender wrk: each wrk thread posts its own slice of prepared,
-- signed Cal.com deliveries (one per line: "<signature> <json body>"), in order, wrapping around
-- (as re-deliveries) if the run outlasts it. The bench reads the IW-THREAD lines to know which
-- deliveries were sent. Arguments: the deliveries file, wrk's thread count, the webhook version,
-- and a pause in ms after each answer on a connection (0: as fast as answers come; with the pause,
-- the connections together offer about connections × 1000 / pause requests a second).
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local path, count, version = args[1], tonumber(args[2]), args[3]
  pause = tonumber(args[4])
  prepared = {}
  local index = 0
  for line in io.lines(path) do
    if index % count == id then
      local signature, body = line:match("^(%x+) (.*)$")
      prepared[#prepared + 1] = wrk.format("POST", "/webhooks/calcom", {
        ["Content-Type"] = "application/json",
        ["X-Cal-Signature-256"] = signature,
        ["X-Cal-Webhook-Version"] = version,
      }, body)
    end
    index = index + 1
  end
  sent = 0
end

function request()
  sent = sent + 1
  return prepared[(sent - 1) % #prepared + 1]
end

function delay()
  return pause
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("IW-THREAD %d %d\n", thread:get("id"), thread:get("sent")))
  end
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("IW-LATENCY %s %.3f\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("IW-MAX %.3f\n", latency.max / 1000))
  io.write(string.format("IW-SUMMARY %d %d %d\n", summary.requests, summary.duration,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
