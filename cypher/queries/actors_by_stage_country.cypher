// Actors per sector, stage and country, optionally only one sector, stage or
// country (null: all).
// :param sector str = null  only this sector
// :param stage str = null  only this stage
// :param country str = null  only this country (ISO alpha-2)
MATCH (a:Actor)
WHERE ($sector IS NULL OR a.sector = $sector)
  AND ($stage IS NULL OR a.stage = $stage)
  AND ($country IS NULL OR a.country = $country)
RETURN a.sector AS sector, a.stage AS stage, a.country AS country, count(*) AS actors
ORDER BY sector, stage, country
