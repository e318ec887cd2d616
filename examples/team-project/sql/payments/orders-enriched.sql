-- Raw orders, enriched with a channel name, written as JSON files for other teams.
CREATE TABLE raw_orders (
  order_id BIGINT,
  customer_id INT,
  channel_code INT,
  amount DECIMAL(10, 2)
) WITH (
  'connector' = 'datagen',
  'rows-per-second' = '10',
  'fields.customer_id.min' = '1',
  'fields.customer_id.max' = '50',
  'fields.channel_code.min' = '0',
  'fields.channel_code.max' = '2',
  'fields.amount.min' = '1',
  'fields.amount.max' = '300'
);

CREATE TABLE orders_enriched (
  order_id BIGINT,
  customer_id INT,
  channel STRING,
  amount DECIMAL(10, 2)
) WITH (
  'connector' = 'filesystem',
  'path' = 'file:///tmp/flinkops-examples/team-project/orders-enriched',
  'format' = 'json',
  -- finished files become visible to readers when they roll over
  'sink.rolling-policy.rollover-interval' = '10s',
  'sink.rolling-policy.check-interval' = '5s'
);

INSERT INTO orders_enriched
SELECT order_id, customer_id,
       CASE channel_code WHEN 0 THEN 'web' WHEN 1 THEN 'app' ELSE 'store' END,
       amount
FROM raw_orders
WHERE amount > 0;
