-- source: apache/paimon/docs/docs/flink/sql-query.mdx (license: Apache-2.0)
-- commit: 5dacde516bf6e29b583aff8b32bab321bfc6e64f
-- extraction: ```sql blocks only, verbatim (Flink pages of the docs)

-- [corpus] docs/docs/flink/sql-query.mdx code block #0 (```sql; verbatim)
-- Flink SQL
SET 'execution.runtime-mode' = 'batch';

-- [corpus] docs/docs/flink/sql-query.mdx code block #1 (```sql; verbatim)
-- read the snapshot with id 1L
SELECT * FROM t /*+ OPTIONS('scan.snapshot-id' = '1') */;

-- read the snapshot from specified timestamp in unix milliseconds
SELECT * FROM t /*+ OPTIONS('scan.timestamp-millis' = '1678883047356') */;

-- read the snapshot from specified timestamp string ,it will be automatically converted to timestamp in unix milliseconds
-- Supported formats include：yyyy-MM-dd, yyyy-MM-dd HH:mm:ss, yyyy-MM-dd HH:mm:ss.SSS, use default local time zone
SELECT * FROM t /*+ OPTIONS('scan.timestamp' = '2023-12-09 23:09:12') */;

-- read tag 'my-tag'
SELECT * FROM t /*+ OPTIONS('scan.tag-name' = 'my-tag') */;

-- read the snapshot from watermark, will match the first snapshot after the watermark
SELECT * FROM t /*+ OPTIONS('scan.watermark' = '1678883047356') */; 

-- [corpus] docs/docs/flink/sql-query.mdx code block #2 (```sql; verbatim; terminating ; appended)
-- read the snapshot from specified timestamp
SELECT * FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '2023-01-01 00:00:00';

-- you can also use some simple expressions (see flink document to get supported functions)
SELECT * FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '2023-01-01 00:00:00' + INTERVAL '1' DAY;

-- [corpus] docs/docs/flink/sql-query.mdx code block #3 (```sql; verbatim)
-- incremental between snapshot ids
SELECT * FROM t /*+ OPTIONS('incremental-between' = '12,20') */;

-- incremental between snapshot time mills
SELECT * FROM t /*+ OPTIONS('incremental-between-timestamp' = '1692169000000,1692169900000') */;
SELECT * FROM t /*+ OPTIONS('incremental-between-timestamp' = '2025-03-12 00:00:00,2025-03-12 00:08:00') */;

-- [corpus] docs/docs/flink/sql-query.mdx code block #4 (```sql; verbatim)
SELECT * FROM t$audit_log /*+ OPTIONS('incremental-between' = '12,20') */;

-- [corpus] docs/docs/flink/sql-query.mdx code block #5 (```sql; verbatim)
-- Flink SQL
SET 'execution.runtime-mode' = 'streaming';

-- [corpus] docs/docs/flink/sql-query.mdx code block #6 (```sql; verbatim)
-- Continuously reads latest changes without producing a snapshot at the beginning.
SELECT * FROM t /*+ OPTIONS('scan.mode' = 'latest') */;

-- [corpus] docs/docs/flink/sql-query.mdx code block #7 (```sql; verbatim)
SELECT * FROM t WHERE dt > '2023-06-26';

-- [corpus] docs/docs/flink/sql-query.mdx code block #8 (```sql; verbatim)
-- read changes from snapshot id 1L 
SELECT * FROM t /*+ OPTIONS('scan.snapshot-id' = '1') */;

-- read changes from snapshot specified timestamp
SELECT * FROM t /*+ OPTIONS('scan.timestamp-millis' = '1678883047356') */;

-- read snapshot id 1L upon first startup, and continue to read the changes
SELECT * FROM t /*+ OPTIONS('scan.mode'='from-snapshot-full','scan.snapshot-id' = '1') */;

-- [corpus] docs/docs/flink/sql-query.mdx code block #9 (```sql; verbatim; terminating ; appended)
-- read the snapshot from specified timestamp
SELECT * FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '2023-01-01 00:00:00';

-- you can also use some simple expressions (see flink document to get supported functions)
SELECT * FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '2023-01-01 00:00:00' + INTERVAL '1' DAY;

-- [corpus] docs/docs/flink/sql-query.mdx code block #10 (```sql; verbatim)
SELECT * FROM t /*+ OPTIONS('scan.file-creation-time-millis' = '1678883047356') */;

-- [corpus] docs/docs/flink/sql-query.mdx code block #11 (```sql; verbatim)
CREATE TABLE orders (
    catalog_id BIGINT,
    order_id BIGINT,
    .....,
    PRIMARY KEY (catalog_id, order_id) NOT ENFORCED -- composite primary key
);

-- [corpus] docs/docs/flink/sql-query.mdx code block #12 (```sql; verbatim)
SELECT * FROM orders WHERE catalog_id=1025;

SELECT * FROM orders WHERE catalog_id=1025 AND order_id=29495;

SELECT * FROM orders
  WHERE catalog_id=1025
  AND order_id>2035 AND order_id<6000;

-- [corpus] docs/docs/flink/sql-query.mdx code block #13 (```sql; verbatim)
SELECT * FROM orders WHERE order_id=29495;

SELECT * FROM orders WHERE catalog_id=1025 OR order_id=29495;
