-- wrk script: POST /engine/v1/calls/{id}/events round-robin over a list of
-- call ids, each call's elapsed_sec one second higher than its last request,
-- so every request asks the ledger for one more second.
--
-- Usage: wrk ... URL -s events.lua -- IDS_FILE ENGINE_TOKEN THREADS
-- The ids are split between the wrk threads (thread k takes ids k, k+THREADS,
-- ...), so two threads never report the same call.

local thread_no = 0

function setup(thread)
  thread:set("thread_no", thread_no)
  thread_no = thread_no + 1
end

local ids = {}
local elapsed = {}
local pos = 0
local headers = {}

function init(args)
  local path, token, nthreads = args[1], args[2], tonumber(args[3] or "1")
  local mine = tonumber(wrk.thread:get("thread_no") or 0)
  local f = assert(io.open(path, "r"), "cannot open " .. tostring(path))
  local i = 0
  for line in f:lines() do
    if line ~= "" then
      if i % nthreads == mine then
        ids[#ids + 1] = line
        elapsed[#ids] = 0
      end
      i = i + 1
    end
  end
  f:close()
  assert(#ids > 0, "no call ids for thread " .. mine)
  headers["Authorization"] = "Bearer " .. token
  headers["Content-Type"] = "application/json"
end

function request()
  pos = pos % #ids + 1
  elapsed[pos] = elapsed[pos] + 1
  local body = string.format(
    '{"type":"status-update","status":"in-progress","elapsed_sec":%d}', elapsed[pos])
  return wrk.format("POST", "/engine/v1/calls/" .. ids[pos] .. "/events", headers, body)
end
