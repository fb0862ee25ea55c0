-- bench/registry.lua: wrk's requests for bench/registry. BENCH_CASE is
-- "get" (GET /schemas/ids/{id}, ids 1..BENCH_IDS at random) or "lookup"
-- (POST /subjects/{s} with a line of BENCH_LOOKUPS: subject TAB body).
local case = os.getenv("BENCH_CASE") or "get"
local ids = tonumber(os.getenv("BENCH_IDS") or "1000")
local lookups = {}

if case == "lookup" then
	for line in io.lines(os.getenv("BENCH_LOOKUPS")) do
		local subject, body = line:match("^([^\t]+)\t(.*)$")
		lookups[#lookups + 1] = { path = "/subjects/" .. subject, body = body }
	end
end

local headers = { ["Content-Type"] = "application/vnd.schemaregistry.v1+json" }

init = function(args)
	math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
end

request = function()
	if case == "lookup" then
		local l = lookups[math.random(#lookups)]
		return wrk.format("POST", l.path, headers, l.body)
	end
	return wrk.format("GET", "/schemas/ids/" .. math.random(ids))
end

done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("RESULT %d %f %d %d %d\n", summary.requests, summary.duration / 1e6,
		latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
