-- wrk script: POST no-op echo tasks (BENCH_CALLBACK set: each with a callback URL)
local callback = os.getenv("BENCH_CALLBACK")
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  local body = '{"type":"echo","input":' .. counter
  if callback and callback ~= "" then
    body = body .. ',"callbackUrl":"' .. callback .. '"'
  end
  return wrk.format(nil, nil, nil, body .. '}')
end
