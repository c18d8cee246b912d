-- The read path under load (see BENCHMARKS.md, "Results day"): each request
-- picks a random unit, person, page or search term, so no single answer
-- can serve them all.
--   wrk -t2 -c64 -d30s --latency -s host/benches/read.lua http://127.0.0.1:8080 -- KIND RUN
-- KIND: results, results-deep, results-after, results-unit, unit, person, summary, home,
-- search, csv, xlsx. RUN: the run's id.
-- Units xa-0001 … xa-3321; every fourth (xa-0001, xa-0005, …) publishes its people.
local kind, run

function init(args)
  kind = args[1]
  run = args[2]
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

local function commune()
  return string.format("xa-%04d", math.random(1, 3321))
end

local function published_person()
  local c = 4 * math.random(0, 829) + 1
  return string.format("cc-%04d-%03d", c, math.random(1, 76))
end

request = function()
  local path
  if kind == "results" then
    -- The first twenty pages, where readers read.
    path = "/api/v1/runs/" .. run .. "/results?per_page=50&page=" .. math.random(1, 20)
  elseif kind == "results-deep" then
    -- Any page of the public's 63,837 results (1,277 pages of 50).
    path = "/api/v1/runs/" .. run .. "/results?per_page=50&page=" .. math.random(1, 1277)
  elseif kind == "results-after" then
    -- A page read on from anywhere in the country's ranking (`after=`, as a
    -- reader going page by page carries it): a total and a subject to
    -- start after, which need not be a row's.
    local total = math.random(500000, 1000000)
    local subject = string.format("cc-%04d-%03d", math.random(1, 3321), math.random(1, 77))
    path = "/api/v1/runs/" .. run .. "/results?per_page=50&after=t," .. total .. "," .. subject
  elseif kind == "results-unit" then
    path = "/api/v1/runs/" .. run .. "/results?unit=" .. commune()
  elseif kind == "unit" then
    path = "/runs/" .. run .. "/units/" .. commune()
  elseif kind == "person" then
    path = "/runs/" .. run .. "/people/" .. published_person()
  elseif kind == "summary" then
    path = "/api/v1/runs/" .. run .. "/summary"
  elseif kind == "home" then
    path = (math.random(0, 1) == 0) and "/?lang=vi" or "/?lang=en"
  elseif kind == "search" then
    path = "/search?q=xa+phuong+" .. string.format("%04d", math.random(1, 3321))
  elseif kind == "csv" then
    path = "/runs/" .. run .. "/results.csv?unit=" .. commune()
  elseif kind == "xlsx" then
    path = "/runs/" .. run .. "/results.xlsx?unit=" .. commune()
  end
  return wrk.format("GET", path)
end
