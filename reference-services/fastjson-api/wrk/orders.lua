-- wrk -t1 -c50 -d5s -s wrk/orders.lua http://127.0.0.1:8080/v1/orders
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "dev-key"
wrk.body = '{"order_id":"ord-1001","currency":"USD","items":[' ..
  '{"sku":"SKU-1","name":"Widget","quantity":2,"unit_price_cents":1999},' ..
  '{"sku":"SKU-2","name":"Gadget","quantity":1,"unit_price_cents":4999},' ..
  '{"sku":"SKU-3","name":"Gizmo","quantity":5,"unit_price_cents":250}]}'

-- Any non-200 would mean the figures measure error paths, so count them.
local bad = 0
response = function(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("non-200 answers: %d\n", bad))
end
