-- wrk script for bench/run.sh.
-- REQUESTS=file: cycles through pre-signed requests, one per line: METHOD<TAB>TARGET<TAB>BODY
--   (written by `wecom-bench requests`); each wrk thread starts at its own offset.
-- PREFIX=/pg: put in front of every target of the file (the same requests to another location).
-- Otherwise: GET the path given on wrk's command line.
-- RATE=n: about n requests/s in total (paced with wrk's delay() hook) instead of flat out.
-- LIMIT=n: stop after n responses (with -t1 -c1 exactly n requests: the counted runs). The thread
--   stops, and a SIGINT ends wrk's wait for the -d duration (its handler for ^C).
-- done() prints one machine-readable RESULT line.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *ts);
int kill(int pid, int sig);
int getpid(void);
]]

local counter = 0
function setup(thread)
    thread:set("thread_index", counter)
    counter = counter + 1
end

local requests, position = {}, 0
local interval, next_at
local now_ts = ffi.new("bench_timespec")

local function now_ms()
    ffi.C.clock_gettime(1, now_ts) -- CLOCK_MONOTONIC
    return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
end

function init(args)
    local threads = tonumber(args[1]) or 1
    local file = os.getenv("REQUESTS")
    if file and file ~= "" then
        local prefix = os.getenv("PREFIX") or ""
        for line in io.lines(file) do
            local method, target, body = line:match("^(%u+)\t([^\t]*)\t(.*)$")
            target = prefix .. target
            if body == "" then
                requests[#requests + 1] = wrk.format(method, target)
            else
                requests[#requests + 1] = wrk.format(method, target, { ["Content-Type"] = "application/json" }, body)
            end
        end
    else
        requests[1] = wrk.format("GET")
    end
    position = math.floor(#requests / threads) * thread_index
    local rate = tonumber(os.getenv("RATE") or "")
    if rate and rate > 0 then interval = 1000 * threads / rate end
end

function request()
    position = position % #requests + 1
    return requests[position]
end

-- Only when pacing (wrk schedules a timer per request once a script defines delay()): wrk
-- waits this many ms before a connection's next request; each request takes the next slot of
-- one schedule per thread.
if tonumber(os.getenv("RATE") or "") then
    function delay()
        local t = now_ms()
        if not next_at or next_at < t - 100 then next_at = t end
        next_at = next_at + interval
        return math.max(0, math.floor(next_at - t))
    end
end

if tonumber(os.getenv("LIMIT") or "") then
    local limit, responses = tonumber(os.getenv("LIMIT")), 0
    function response()
        responses = responses + 1
        if responses >= limit then
            wrk.thread:stop()
            ffi.C.kill(ffi.C.getpid(), 2)
        end
    end
end

function done(summary, latency, requests_)
    local seconds = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d\n",
        summary.requests, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
