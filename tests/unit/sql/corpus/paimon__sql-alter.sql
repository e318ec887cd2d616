-- source: apache/paimon/docs/docs/flink/sql-alter.md (license: Apache-2.0)
-- commit: 5dacde516bf6e29b583aff8b32bab321bfc6e64f
-- extraction: ```sql blocks only, verbatim (Flink pages of the docs)

-- [corpus] docs/docs/flink/sql-alter.md code block #0 (```sql; verbatim)
ALTER TABLE my_table SET (
    'write-buffer-size' = '256 MB'
);

-- [corpus] docs/docs/flink/sql-alter.md code block #1 (```sql; verbatim)
ALTER TABLE my_table RESET ('write-buffer-size');

-- [corpus] docs/docs/flink/sql-alter.md code block #2 (```sql; verbatim)
ALTER TABLE my_table SET (
    'comment' = 'table comment'
    );

-- [corpus] docs/docs/flink/sql-alter.md code block #3 (```sql; verbatim)
ALTER TABLE my_table RESET ('comment');

-- [corpus] docs/docs/flink/sql-alter.md code block #4 (```sql; verbatim)
ALTER TABLE my_table RENAME TO my_table_new;

-- [corpus] docs/docs/flink/sql-alter.md code block #5 (```sql; verbatim)
ALTER TABLE my_table ADD (c1 INT, c2 STRING);

-- [corpus] docs/docs/flink/sql-alter.md code block #6 (```sql; verbatim)
ALTER TABLE my_table RENAME c0 TO c1;

-- [corpus] docs/docs/flink/sql-alter.md code block #7 (```sql; verbatim)
ALTER TABLE my_table DROP (c1, c2);

-- [corpus] docs/docs/flink/sql-alter.md code block #8 (```sql; verbatim)
ALTER TABLE my_table DROP PARTITION (`id` = 1);

ALTER TABLE my_table DROP PARTITION (`id` = 1, `name` = 'paimon');

ALTER TABLE my_table DROP PARTITION (`id` = 1), PARTITION (`id` = 2);

-- [corpus] docs/docs/flink/sql-alter.md code block #9 (```sql; verbatim)
CREATE TABLE my_table (id INT PRIMARY KEY NOT ENFORCED, coupon_info FLOAT NOT NULL);

-- Change column `coupon_info` from NOT NULL to nullable
ALTER TABLE my_table MODIFY coupon_info FLOAT;

-- Change column `coupon_info` from nullable to NOT NULL
-- If there are NULL values already, set table option as below to drop those records silently before altering table.
SET 'table.exec.sink.not-null-enforcer' = 'DROP';
ALTER TABLE my_table MODIFY coupon_info FLOAT NOT NULL;

-- [corpus] docs/docs/flink/sql-alter.md code block #10 (```sql; verbatim)
ALTER TABLE my_table MODIFY buy_count BIGINT COMMENT 'buy count';

-- [corpus] docs/docs/flink/sql-alter.md code block #11 (```sql; verbatim)
ALTER TABLE my_table ADD c INT FIRST;

ALTER TABLE my_table ADD c INT AFTER b;

-- [corpus] docs/docs/flink/sql-alter.md code block #12 (```sql; verbatim)
ALTER TABLE my_table MODIFY col_a DOUBLE FIRST;

ALTER TABLE my_table MODIFY col_a DOUBLE AFTER col_b;

-- [corpus] docs/docs/flink/sql-alter.md code block #13 (```sql; verbatim)
ALTER TABLE my_table MODIFY col_a DOUBLE;

-- [corpus] docs/docs/flink/sql-alter.md code block #14 (```sql; verbatim)
-- col_a previously has type ARRAY<MAP<INT, ROW(f1 INT, f2 STRING)>>
-- the following SQL changes f1 to BIGINT, drops f2, and adds f3
ALTER TABLE my_table MODIFY col_a ARRAY<MAP<INT, ROW(f1 BIGINT, f3 DOUBLE)>>;

-- [corpus] docs/docs/flink/sql-alter.md code block #15 (```sql; verbatim)
ALTER TABLE my_table ADD (
    ts AS TO_TIMESTAMP(log_ts) AFTER log_ts,
    WATERMARK FOR ts AS ts - INTERVAL '1' HOUR
);

-- [corpus] docs/docs/flink/sql-alter.md code block #16 (```sql; verbatim)
ALTER TABLE my_table DROP WATERMARK;

-- [corpus] docs/docs/flink/sql-alter.md code block #17 (```sql; verbatim)
ALTER TABLE my_table MODIFY WATERMARK FOR ts AS ts - INTERVAL '2' HOUR;

-- [corpus] docs/docs/flink/sql-alter.md code block #18 (```sql; verbatim)
ALTER DATABASE [catalog_name.]db_name SET (key1=val1, key2=val2, ...);

-- [corpus] docs/docs/flink/sql-alter.md code block #19 (```sql; verbatim)
ALTER DATABASE my_database SET ('location' =  'file:/temp/my_database');
