-- The shop's orders (PostgreSQL), read by change data capture through the publication below.
CREATE TABLE orders (
  order_id bigint PRIMARY KEY,
  customer_id bigint NOT NULL,
  status text NOT NULL,
  amount numeric(10,2) NOT NULL,
  ordered_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO orders VALUES
  (1, 1, 'placed', 19.90, '2026-12-01 09:30:00+00', '2026-12-01 09:30:00+00'),
  (2, 2, 'placed', 5.00, '2026-12-01 10:02:00+00', '2026-12-01 10:02:00+00'),
  (3, 1, 'shipped', 44.10, '2026-12-01 11:45:00+00', '2026-12-01 12:00:00+00'),
  (4, 3, 'placed', 12.00, '2026-12-01 12:10:00+00', '2026-12-01 12:10:00+00'),
  (5, 2, 'placed', -3.00, '2026-12-01 12:30:00+00', '2026-12-01 12:30:00+00');
-- What sluice's replication slot reads (incremental: {mode: cdc, publication: sluice_shop}).
CREATE PUBLICATION sluice_shop FOR TABLE orders;
