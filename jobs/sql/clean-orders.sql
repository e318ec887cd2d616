-- Raw payments from a generator; amounts below 5 are test traffic and dropped.
CREATE TABLE raw_orders (
  order_id BIGINT,
  customer_id INT,
  amount_cents INT,
  channel_code INT,
  ingested_at AS PROCTIME()
) WITH (
  'connector' = 'datagen',
  'rows-per-second' = '10',
  'fields.customer_id.min' = '1',
  'fields.customer_id.max' = '50',
  'fields.amount_cents.min' = '100',
  'fields.amount_cents.max' = '50000',
  'fields.channel_code.min' = '0',
  'fields.channel_code.max' = '2'
);

CREATE TABLE clean_orders (
  order_id BIGINT,
  customer_id INT,
  amount DECIMAL(10, 2),
  channel STRING
) WITH (
  'connector' = 'filesystem',
  'path' = 'file:///tmp/flinkops-examples/clean-orders',
  'format' = 'json',
  'sink.rolling-policy.rollover-interval' = '10s'
);

INSERT INTO clean_orders
SELECT
  order_id,
  customer_id,
  CAST(amount_cents AS DECIMAL(10, 2)) / 100 AS amount,
  CASE channel_code WHEN 0 THEN 'web' WHEN 1 THEN 'app' ELSE 'store' END AS channel
FROM raw_orders
WHERE amount_cents >= 500;
