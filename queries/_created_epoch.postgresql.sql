-- fragment: the case's (alias c) creation as whole UTC seconds since 1970 (PostgreSQL)
cast(extract(epoch from c.created_at) as bigint)
