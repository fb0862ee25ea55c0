-- bench/gateway.lua: wrk's requests for bench/gateway. BENCH_BATCH is the
-- events per request: 1 posts one structured event
-- (application/cloudevents+json), more post a batch of that many
-- (application/cloudevents-batch+json). Events are retail-sized (~400
-- bytes) with a partitionkey, so they are keyed and spread by murmur2.
local batch = tonumber(os.getenv("BENCH_BATCH") or "1")
local n = 0

local function event(i)
	return string.format('{"specversion":"1.0","id":"bench-%d-%d","source":"/bench/shop",' ..
		'"type":"com.example.retail.order.placed","time":"2026-12-02T10:00:00Z",' ..
		'"partitionkey":"customer-%d","datacontenttype":"application/json","data":{"order":"o-%d",' ..
		'"customer":"customer-%d","market":"DE","currency":"EUR","total":"129.90","lines":[' ..
		'{"sku":"SKU-1001","qty":2,"price":"39.95"},{"sku":"SKU-2002","qty":1,"price":"50.00"}],' ..
		'"note":"Lieferung bitte an die Hintertür, danke"}}', math.random(1e9), i, i % 5000, i, i % 5000)
end

local bodies = {}
init = function(args)
	math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
	for b = 1, 50 do
		if batch == 1 then
			bodies[b] = event(b)
		else
			local evs = {}
			for i = 1, batch do evs[i] = event(b * batch + i) end
			bodies[b] = "[" .. table.concat(evs, ",") .. "]"
		end
	end
end

local headers = { ["Content-Type"] = batch == 1 and "application/cloudevents+json"
	or "application/cloudevents-batch+json" }

request = function()
	n = n + 1
	return wrk.format("POST", "/", headers, bodies[n % #bodies + 1])
end

done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("RESULT %d %.3f %d %d %d %d\n", summary.requests, summary.duration / 1e6,
		latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
