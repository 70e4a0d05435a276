-- fragment: the case (alias c) is open at :as_of: created by then, not resolved by then
c.created_at <= :as_of and (c.resolved_at is null or c.resolved_at > :as_of)
