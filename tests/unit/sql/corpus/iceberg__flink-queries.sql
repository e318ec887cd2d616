-- source: apache/iceberg/docs/docs/flink-queries.md (license: Apache-2.0)
-- commit: 7f879b11366e17a676a03f15247a821751415529
-- extraction: ```sql blocks only, verbatim (Flink pages of the docs)

-- [corpus] docs/docs/flink-queries.md code block #0 (```sql; verbatim)
-- Execute the flink job in streaming mode for current session context
SET execution.runtime-mode = streaming;

-- Execute the flink job in batch mode for current session context
SET execution.runtime-mode = batch;

-- [corpus] docs/docs/flink-queries.md code block #1 (```sql; verbatim)
-- Execute the flink job in batch mode for current session context
SET execution.runtime-mode = batch;
SELECT * FROM sample;

-- [corpus] docs/docs/flink-queries.md code block #2 (```sql; verbatim)
-- Submit the flink job in streaming mode for current session.
SET execution.runtime-mode = streaming;

-- Enable this switch because streaming read SQL will provide few job options in flink SQL hint options.
SET table.dynamic-table-options.enabled=true;

-- Read all the records from the iceberg current snapshot, and then read incremental data starting from that snapshot.
SELECT * FROM sample /*+ OPTIONS('streaming'='true', 'monitor-interval'='1s')*/ ;

-- Read all incremental data starting from the snapshot-id '3821550127947089987' (records from this snapshot will be excluded).
SELECT * FROM sample /*+ OPTIONS('streaming'='true', 'monitor-interval'='1s', 'start-snapshot-id'='3821550127947089987')*/ ;

-- [corpus] docs/docs/flink-queries.md code block #3 (```sql; verbatim)
-- Opt out the FLIP-27 source.
-- Default is false for Flink 1.19 and below, and true for Flink 1.20 and above.
SET table.exec.iceberg.use-flip27-source = false;

-- [corpus] docs/docs/flink-queries.md code block #4 (```sql; verbatim)
--- Read from branch b1
SELECT * FROM table /*+ OPTIONS('branch'='b1') */ ;

--- Read from tag t1
SELECT * FROM table /*+ OPTIONS('tag'='t1') */;

--- Incremental scan from tag t1 to tag t2
SELECT * FROM table /*+ OPTIONS('streaming'='true', 'monitor-interval'='1s', 'start-tag'='t1', 'end-tag'='t2') */;

-- [corpus] docs/docs/flink-queries.md code block #16 (```sql; verbatim)
SELECT * FROM prod.db.table$history;

-- [corpus] docs/docs/flink-queries.md code block #17 (```sql; verbatim)
SELECT * from prod.db.table$metadata_log_entries;

-- [corpus] docs/docs/flink-queries.md code block #18 (```sql; verbatim)
SELECT * FROM prod.db.table$snapshots;

-- [corpus] docs/docs/flink-queries.md code block #19 (```sql; verbatim)
select
    h.made_current_at,
    s.operation,
    h.snapshot_id,
    h.is_current_ancestor,
    s.summary['flink.job-id']
from prod.db.table$history h
join prod.db.table$snapshots s
  on h.snapshot_id = s.snapshot_id
order by made_current_at;

-- [corpus] docs/docs/flink-queries.md code block #20 (```sql; verbatim)
SELECT * FROM prod.db.table$files;

-- [corpus] docs/docs/flink-queries.md code block #21 (```sql; verbatim)
SELECT * FROM prod.db.table$manifests;

-- [corpus] docs/docs/flink-queries.md code block #22 (```sql; verbatim)
SELECT * FROM prod.db.table$partitions;

-- [corpus] docs/docs/flink-queries.md code block #23 (```sql; verbatim)
SELECT * FROM prod.db.table$all_data_files;

-- [corpus] docs/docs/flink-queries.md code block #24 (```sql; verbatim)
SELECT * FROM prod.db.table$all_manifests;

-- [corpus] docs/docs/flink-queries.md code block #25 (```sql; verbatim)
SELECT * FROM prod.db.table$refs;
