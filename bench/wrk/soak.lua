-- bench/soak's request mix, one wrk connection at a time: each request picks a file (the page
-- 60 %, 64 KiB 30 %, 1 MiB 10 %) and asks for Connection: close one time in four, so
-- keep-alive connections and fresh ones mix on every connection; wrk reconnects after a
-- close. The POLYBENCH summary line comes from report.lua beside this file.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local paths = {}  -- 10 slots: 6 page, 3 x 64 KiB, 1 x 1 MiB
for i = 1, 6 do paths[i] = "/index.html" end
for i = 7, 9 do paths[i] = "/64KiB.bin" end
paths[10] = "/1MiB.bin"

local keep = { ["Host"] = "127.0.0.1" }
local close = { ["Host"] = "127.0.0.1", ["Connection"] = "close" }
local only_close = os.getenv("SOAK_CLOSE_ONLY") == "1"

init = function(args)
  math.randomseed(os.time())
end

request = function()
  local path = paths[math.random(1, 10)]
  local headers = (only_close or math.random(1, 4) == 1) and close or keep
  return wrk.format("GET", path, headers)
end
