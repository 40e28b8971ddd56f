// Give the push lock back, if the caller still holds it.
// :param name str  the lock's name
// :param owner str  host:pid:token of the caller
MATCH (l:RiskgraphLock {name: $name})
WHERE l.owner = $owner
SET l.owner = null, l.expires = null
RETURN count(l) AS released
