-- source: apache/paimon/docs/docs/flink/consumer-id.mdx (license: Apache-2.0)
-- commit: 5dacde516bf6e29b583aff8b32bab321bfc6e64f
-- extraction: ```sql blocks only, verbatim (Flink pages of the docs)

-- [corpus] docs/docs/flink/consumer-id.mdx code block #0 (```sql; verbatim)
ALTER TABLE t SET ('consumer.expiration-time' = '1 d');

-- [corpus] docs/docs/flink/consumer-id.mdx code block #1 (```sql; verbatim)
SELECT * FROM t /*+ OPTIONS('consumer-id' = 'myid', 'consumer.mode' = 'at-least-once') */;

-- [corpus] docs/docs/flink/consumer-id.mdx code block #2 (```sql; verbatim)
SELECT * FROM t /*+ OPTIONS('consumer-id' = 'myid', 'consumer.ignore-progress' = 'true') */;

-- [corpus] docs/docs/flink/consumer-id.mdx code block #3 (```sql; verbatim)
CALL sys.reset_consumer(
   `table` => 'database_name.table_name', 
   consumer_id => 'consumer_id', 
   next_snapshot_id => <snapshot_id>
);
-- No next_snapshot_id if you want to delete the consumer

-- [corpus] docs/docs/flink/consumer-id.mdx code block #5 (```sql; verbatim)
CALL sys.clear_consumers(
   `table` => 'database_name.table_name', 
   `including_consumers` => 'including_consumers', 
   `excluding_consumers` => 'excluding_consumers'
);
-- No including_consumers if you want to clear all consumers except excluding_consumers in the table
