-- fragment: the case's (alias c) first response as whole UTC seconds since 1970, null when
-- none (PostgreSQL)
cast(extract(epoch from c.first_response_at) as bigint)
