-- source: apache/paimon/docs/docs/flink/sql-write.mdx (license: Apache-2.0)
-- commit: 5dacde516bf6e29b583aff8b32bab321bfc6e64f
-- extraction: ```sql blocks only, verbatim (Flink pages of the docs)

-- [corpus] docs/docs/flink/sql-write.mdx code block #0 (```sql; verbatim)
INSERT { INTO | OVERWRITE } table_identifier [ part_spec ] [ column_list ] { value_expr | query };

-- [corpus] docs/docs/flink/sql-write.mdx code block #1 (```sql; verbatim; terminating ; appended)
INSERT INTO my_table SELECT ...;

-- [corpus] docs/docs/flink/sql-write.mdx code block #2 (```sql; verbatim)
CREATE TABLE my_table (
    a STRING,
    b STRING,
    c STRING,
) WITH (
  'sink.clustering.by-columns' = 'a,b',
);

-- [corpus] docs/docs/flink/sql-write.mdx code block #3 (```sql; verbatim)
INSERT INTO my_table /*+ OPTIONS('sink.clustering.by-columns' = 'a,b') */
SELECT * FROM source;

-- [corpus] docs/docs/flink/sql-write.mdx code block #4 (```sql; verbatim; terminating ; appended)
INSERT OVERWRITE my_table SELECT ...;

-- [corpus] docs/docs/flink/sql-write.mdx code block #5 (```sql; verbatim; terminating ; appended)
INSERT OVERWRITE my_table PARTITION (key1 = value1, key2 = value2, ...) SELECT ...;

-- [corpus] docs/docs/flink/sql-write.mdx code block #6 (```sql; verbatim; terminating ; appended)
-- MyTable is a Partitioned Table

-- Dynamic overwrite
INSERT OVERWRITE my_table SELECT ...

-- Static overwrite (Overwrite whole table)
INSERT OVERWRITE my_table /*+ OPTIONS('dynamic-partition-overwrite' = 'false') */ SELECT ...;

-- [corpus] docs/docs/flink/sql-write.mdx code block #7 (```sql; verbatim)
INSERT OVERWRITE my_table /*+ OPTIONS('dynamic-partition-overwrite'='false') */ SELECT * FROM my_table WHERE false;

-- [corpus] docs/docs/flink/sql-write.mdx code block #8 (```sql; verbatim)
TRUNCATE TABLE my_table;

-- [corpus] docs/docs/flink/sql-write.mdx code block #9 (```sql; verbatim)
-- Syntax
INSERT OVERWRITE my_table /*+ OPTIONS('dynamic-partition-overwrite'='false') */ 
PARTITION (key1 = value1, key2 = value2, ...) SELECT selectSpec FROM my_table WHERE false;

-- The following SQL is an example:
-- table definition
CREATE TABLE my_table (
    k0 INT,
    k1 INT,
    v STRING
) PARTITIONED BY (k0, k1);

-- you can use
INSERT OVERWRITE my_table /*+ OPTIONS('dynamic-partition-overwrite'='false') */ 
PARTITION (k0 = 0) SELECT k1, v FROM my_table WHERE false;

-- or
INSERT OVERWRITE my_table /*+ OPTIONS('dynamic-partition-overwrite'='false') */ 
PARTITION (k0 = 0, k1 = 0) SELECT v FROM my_table WHERE false;

-- [corpus] docs/docs/flink/sql-write.mdx code block #10 (```sql; verbatim)
-- Syntax
UPDATE table_identifier SET column1 = value1, column2 = value2, ... WHERE condition;

-- The following SQL is an example:
-- table definition
CREATE TABLE my_table (
	a STRING,
	b INT,
	c INT,
	PRIMARY KEY (a) NOT ENFORCED
) WITH ( 
	'merge-engine' = 'deduplicate' 
);

-- you can use
UPDATE my_table SET b = 1, c = 2 WHERE a = 'myTable';

-- [corpus] docs/docs/flink/sql-write.mdx code block #11 (```sql; verbatim)
-- Syntax
DELETE FROM table_identifier WHERE conditions;

-- The following SQL is an example:
-- table definition
CREATE TABLE my_table (
    id BIGINT NOT NULL,
    currency STRING,
    rate BIGINT,
    dt String,
    PRIMARY KEY (id, dt) NOT ENFORCED
) PARTITIONED BY (dt) WITH ( 
    'merge-engine' = 'deduplicate' 
);

-- you can use
DELETE FROM my_table WHERE currency = 'UNKNOWN';

-- [corpus] docs/docs/flink/sql-write.mdx code block #12 (```sql; verbatim)
CREATE TABLE my_partitioned_table (
    f0 INT,
    f1 INT,
    f2 INT,
    ...
    dt STRING
) PARTITIONED BY (dt) WITH (
    'partition.timestamp-formatter'='yyyyMMdd',
    'partition.timestamp-pattern'='$dt',
    'partition.time-interval'='1 d',
    'partition.idle-time-to-done'='15 m',
    'partition.mark-done-action'='done-partition'
);
