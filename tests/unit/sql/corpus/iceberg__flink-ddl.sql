-- source: apache/iceberg/docs/docs/flink-ddl.md (license: Apache-2.0)
-- commit: 7f879b11366e17a676a03f15247a821751415529
-- extraction: ```sql blocks only, verbatim (Flink pages of the docs)

-- [corpus] docs/docs/flink-ddl.md code block #0 (```sql; verbatim)
CREATE CATALOG hive_catalog WITH (
  'type'='iceberg',
  'catalog-type'='hive',
  'uri'='thrift://localhost:9083',
  'clients'='5',
  'property-version'='1',
  'warehouse'='hdfs://nn:8020/warehouse/path'
);

-- [corpus] docs/docs/flink-ddl.md code block #1 (```sql; verbatim)
CREATE CATALOG hadoop_catalog WITH (
  'type'='iceberg',
  'catalog-type'='hadoop',
  'warehouse'='hdfs://nn:8020/warehouse/path',
  'property-version'='1'
);

-- [corpus] docs/docs/flink-ddl.md code block #2 (```sql; verbatim)
CREATE CATALOG rest_catalog WITH (
  'type'='iceberg',
  'catalog-type'='rest',
  'uri'='https://localhost/'
);

-- [corpus] docs/docs/flink-ddl.md code block #3 (```sql; verbatim)
CREATE CATALOG my_catalog WITH (
  'type'='iceberg',
  'catalog-impl'='com.my.custom.CatalogImpl',
  'my-additional-catalog-config'='my-value'
);

-- [corpus] docs/docs/flink-ddl.md code block #5 (```sql; verbatim)
-- define available catalogs
CREATE CATALOG hive_catalog WITH (
  'type'='iceberg',
  'catalog-type'='hive',
  'uri'='thrift://localhost:9083',
  'warehouse'='hdfs://nn:8020/warehouse/path'
);

USE CATALOG hive_catalog;

-- [corpus] docs/docs/flink-ddl.md code block #7 (```sql; verbatim)
CREATE DATABASE iceberg_db;
USE iceberg_db;

-- [corpus] docs/docs/flink-ddl.md code block #8 (```sql; verbatim)
CREATE TABLE `hive_catalog`.`default`.`sample` (
    id BIGINT COMMENT 'unique id',
    data STRING NOT NULL
) WITH ('format-version'='2');

-- [corpus] docs/docs/flink-ddl.md code block #9 (```sql; verbatim)
CREATE TABLE `hive_catalog`.`default`.`sample` (
    id BIGINT COMMENT 'unique id',
    data STRING NOT NULL
) WITH (
    'format-version'='2', 
    'location'='hdfs//nn:8020/custom-path'
);

-- [corpus] docs/docs/flink-ddl.md code block #10 (```sql; verbatim)
CREATE TABLE `hive_catalog`.`default`.`sample` (
    id BIGINT COMMENT 'unique id',
    data STRING NOT NULL,
    PRIMARY KEY(`id`) NOT ENFORCED
) WITH ('format-version'='2');

-- [corpus] docs/docs/flink-ddl.md code block #11 (```sql; verbatim)
CREATE TABLE `hive_catalog`.`default`.`sample` (
    id BIGINT COMMENT 'unique id',
    data STRING NOT NULL
) 
PARTITIONED BY (data) 
WITH ('format-version'='2');

-- [corpus] docs/docs/flink-ddl.md code block #12 (```sql; verbatim)
CREATE TABLE `hive_catalog`.`default`.`sample` (
    id BIGINT COMMENT 'unique id',
    data STRING
);

CREATE TABLE  `hive_catalog`.`default`.`sample_like` LIKE `hive_catalog`.`default`.`sample`;

-- [corpus] docs/docs/flink-ddl.md code block #13 (```sql; verbatim)
ALTER TABLE `hive_catalog`.`default`.`sample` SET ('write.format.default'='avro');

-- [corpus] docs/docs/flink-ddl.md code block #14 (```sql; verbatim)
ALTER TABLE `hive_catalog`.`default`.`sample` RENAME TO `hive_catalog`.`default`.`new_sample`;

-- [corpus] docs/docs/flink-ddl.md code block #15 (```sql; verbatim)
DROP TABLE `hive_catalog`.`default`.`sample`;
