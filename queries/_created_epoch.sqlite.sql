-- fragment: the case's (alias c) creation as whole UTC seconds since 1970 (SQLite stores them
-- so: store.UtcDateTime)
c.created_at
