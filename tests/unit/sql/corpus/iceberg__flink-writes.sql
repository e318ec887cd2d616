-- source: apache/iceberg/docs/docs/flink-writes.md (license: Apache-2.0)
-- commit: 7f879b11366e17a676a03f15247a821751415529
-- extraction: ```sql blocks only, verbatim (Flink pages of the docs)

-- [corpus] docs/docs/flink-writes.md code block #0 (```sql; verbatim)
INSERT INTO `hive_catalog`.`default`.`sample` VALUES (1, 'a');
INSERT INTO `hive_catalog`.`default`.`sample` SELECT id, data from other_kafka_table;

-- [corpus] docs/docs/flink-writes.md code block #1 (```sql; verbatim)
INSERT OVERWRITE sample VALUES (1, 'a');

-- [corpus] docs/docs/flink-writes.md code block #2 (```sql; verbatim)
INSERT OVERWRITE `hive_catalog`.`default`.`sample` PARTITION(data='a') SELECT 6;

-- [corpus] docs/docs/flink-writes.md code block #3 (```sql; verbatim)
CREATE TABLE `hive_catalog`.`default`.`sample` (
    `id` INT COMMENT 'unique id',
    `data` STRING NOT NULL,
    PRIMARY KEY(`id`) NOT ENFORCED
) with ('format-version'='2', 'write.upsert.enabled'='true');

-- [corpus] docs/docs/flink-writes.md code block #4 (```sql; verbatim; terminating ; appended)
INSERT INTO tableName /*+ OPTIONS('upsert-enabled'='true') */
...;

-- [corpus] docs/docs/flink-writes.md code block #11 (```sql; verbatim; terminating ; appended)
INSERT INTO tableName /*+ OPTIONS('upsert-enabled'='true') */
...;

-- [corpus] docs/docs/flink-writes.md code block #13 (```sql; verbatim)
SET table.exec.iceberg.use-v2-sink = true;
