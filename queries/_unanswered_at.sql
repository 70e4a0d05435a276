-- fragment: the case (alias c), open at :as_of, is still unanswered then (exports that record
-- first responses only)
c.response_recorded
    and (c.first_response_at is null or c.first_response_at > :as_of)
