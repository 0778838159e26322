-- wrk -t1 -c50 -d5s -s wrk/bench_json.lua http://127.0.0.1:8080/bench/json
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"id":"order-42","items":[' ..
  '{"name":"apple","qty":3,"price_cents":120,"tags":["fruit","red"]},' ..
  '{"name":"pear","qty":2,"price_cents":95,"tags":["fruit","green"]},' ..
  '{"name":"kale","qty":1,"price_cents":300,"tags":["veg","green"]}]}'
