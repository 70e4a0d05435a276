-- fragment: the case (alias c), open at :as_of, is still unanswered then (exports that record
-- first responses only), and within the filters
c.response_recorded
    and (c.first_response_at is null or c.first_response_at > :as_of)
    and {{case_filters}}
