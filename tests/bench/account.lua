-- wrk script: GET /api/v1/account with the API key given as the first
-- script argument (wrk ... URL -s account.lua -- API_KEY).
local headers = {}

function init(args)
  headers["Authorization"] = "Bearer " .. assert(args[1], "api key argument")
end

function request()
  return wrk.format("GET", "/api/v1/account", headers)
end
