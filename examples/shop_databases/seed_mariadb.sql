-- The shop's customers (MariaDB). updated_at changes with every write: the incremental cursor.
CREATE TABLE customers (
  customer_id bigint PRIMARY KEY,
  name varchar(64) NOT NULL,
  city varchar(64) NOT NULL,
  vip tinyint(1) NOT NULL DEFAULT 0,
  updated_at datetime(6) NOT NULL
);
INSERT INTO customers VALUES
  (1, 'Ann', 'Oslo', 1, '2026-11-01 00:00:00'),
  (2, 'Bob', 'Rome', 0, '2026-11-01 00:00:00'),
  (3, 'Chen', 'Vienna', 0, '2026-11-02 00:00:00');
