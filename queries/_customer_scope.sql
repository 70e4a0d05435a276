-- fragment: the case (alias c) belongs to a customer the person asking may see (access.py);
-- every query that reads cases includes it, directly or through {{case_filters}}
(:all_scope or c.customer in :scope)
