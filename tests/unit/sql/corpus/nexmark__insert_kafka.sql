-- source: nexmark/nexmark/nexmark-flink/src/main/resources/queries/insert_kafka.sql (license: Apache-2.0)
-- commit: 6b3646c3baec701f1fa74baf938d235f742e5d3c
-- extraction: the whole file, verbatim

-- -------------------------------------------------------------------------------------------------
-- Insert into kafka from nexmark data generator.
-- -------------------------------------------------------------------------------------------------

INSERT INTO kafka
SELECT event_type, person, auction, bid FROM datagen;