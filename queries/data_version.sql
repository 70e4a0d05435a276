-- grain: one row: the last import, the number of imports, the last recorded change (a source
-- removed) and the policy the stored figures were computed under; any write changes one of
-- them, so the app keys its caches on them
select
    (select max(i.id) from imports as i) as last_import,
    (select count(*) from imports as i) as imports,
    (select max(a.id) from activity as a) as last_change,
    (select s.value from settings as s where s.key = 'policy_fingerprint') as fingerprint
