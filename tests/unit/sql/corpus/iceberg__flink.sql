-- source: apache/iceberg/docs/docs/flink.md (license: Apache-2.0)
-- commit: 7f879b11366e17a676a03f15247a821751415529
-- extraction: ```sql blocks only, verbatim (Flink pages of the docs)

-- [corpus] docs/docs/flink.md code block #9 (```sql; verbatim)
CREATE CATALOG <catalog_name> WITH (
  'type'='iceberg',
  '<config_key>' = '<config_value>'
);

-- [corpus] docs/docs/flink.md code block #10 (```sql; verbatim)
CREATE CATALOG hive_catalog WITH (
  'type'='iceberg',
  'catalog-type'='hive',
  'uri'='thrift://localhost:9083',
  'clients'='5',
  'property-version'='1',
  'warehouse'='hdfs://nn:8020/warehouse/path'
);

-- [corpus] docs/docs/flink.md code block #11 (```sql; verbatim)
CREATE CATALOG rest_catalog WITH (
  'type'='iceberg',
  'catalog-type'='rest',
  'uri'='https://localhost/'
);

-- [corpus] docs/docs/flink.md code block #12 (```sql; verbatim)
CREATE TABLE `hive_catalog`.`default`.`sample` (
    id BIGINT COMMENT 'unique id',
    data STRING
);

-- [corpus] docs/docs/flink.md code block #13 (```sql; verbatim)
INSERT INTO `hive_catalog`.`default`.`sample` VALUES (1, 'a');
INSERT INTO `hive_catalog`.`default`.`sample` SELECT id, data from other_kafka_table;

-- [corpus] docs/docs/flink.md code block #14 (```sql; verbatim)
INSERT OVERWRITE `hive_catalog`.`default`.`sample` VALUES (1, 'a');

-- [corpus] docs/docs/flink.md code block #15 (```sql; verbatim)
INSERT OVERWRITE `hive_catalog`.`default`.`sample` PARTITION(data='a') SELECT 6;

-- [corpus] docs/docs/flink.md code block #18 (```sql; verbatim)
-- Execute the flink job in batch mode for current session context
SET execution.runtime-mode = batch;
SELECT * FROM `hive_catalog`.`default`.`sample`;

-- [corpus] docs/docs/flink.md code block #19 (```sql; verbatim)
-- Submit the flink job in streaming mode for current session.
SET execution.runtime-mode = streaming;

-- Enable this switch because streaming read SQL will provide few job options in flink SQL hint options.
SET table.dynamic-table-options.enabled=true;

-- Read all the records from the iceberg current snapshot, and then read incremental data starting from that snapshot.
SELECT * FROM `hive_catalog`.`default`.`sample` /*+ OPTIONS('streaming'='true', 'monitor-interval'='1s')*/ ;

-- Read all incremental data starting from the snapshot-id '3821550127947089987' (records from this snapshot will be excluded).
SELECT * FROM `hive_catalog`.`default`.`sample` /*+ OPTIONS('streaming'='true', 'monitor-interval'='1s', 'start-snapshot-id'='3821550127947089987')*/ ;

-- [corpus] docs/docs/flink.md code block #20 (```sql; verbatim)
SELECT * FROM `hive_catalog`.`default`.`sample$snapshots`;
