-- wrk script: GET /api/v1/account with the API key given as the first
-- script argument (wrk ... URL -s account.lua -- API_KEY).
-- The request is the same every time, so it is built once per thread (no
-- request() function): wrk then spends on it what it spends on nginx's
-- static file, and the two figures compare the servers, not the scripts.
function init(args)
  wrk.headers["Authorization"] = "Bearer " .. assert(args[1], "api key argument")
end
