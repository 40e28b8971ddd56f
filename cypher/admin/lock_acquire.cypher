// Take (or extend) the push lock: one writer at a time per store.
// The lock is one node, (:RiskgraphLock {name, owner, expires}); expires is
// the server's clock (timestamp(), milliseconds). The lock is free when it
// has no owner, when its lease ran out, or when `steal` names the owner (a
// process on this machine that no longer runs). Writing `claimed` first
// makes Neo4j lock the node before the owner is read, so two pushes that
// run this at the same moment are served one after the other; FalkorDB runs
// every query alone anyway. Returns who holds the lock afterwards.
// :param name str  the lock's name ("push")
// :param owner str  host:pid:token of the caller
// :param lease_ms int  milliseconds the lock is held without a renewal
// :param steal str = ""  the owner text of a dead holder to take over from
MERGE (l:RiskgraphLock {name: $name})
SET l.claimed = $owner
WITH l, timestamp() AS now
WITH l, now, CASE WHEN l.owner IS NULL OR l.owner = $owner OR l.owner = $steal OR l.expires < now
                  THEN $owner ELSE l.owner END AS holder
SET l.owner = holder, l.expires = CASE WHEN holder = $owner THEN now + $lease_ms ELSE l.expires END
RETURN holder, l.expires AS expires, now
