// Which of these actor ids the store holds (push checks flows whose actors
// are not in the pushed chain).
// :param ids list  actor ids
UNWIND $ids AS id
MATCH (a:Actor {id: id})
RETURN a.id AS id
