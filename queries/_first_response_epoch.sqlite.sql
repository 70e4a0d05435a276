-- fragment: the case's (alias c) first response as whole UTC seconds since 1970, null when
-- none (SQLite stores them so: store.UtcDateTime)
c.first_response_at
