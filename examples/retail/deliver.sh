#!/usr/bin/env bash
# Delivers the demo's file drops into inbox/ the way they arrive in the shop, one day at a time:
#   deliver.sh 1     orders of 1–2 November, the first customer drop, the product catalogue
#   deliver.sh 2     orders of 3–4 November, the second customer drop (address changes)
#   deliver.sh 3     the late orders file, the third customer drop (more moves, a new field)
#   deliver.sh all   everything at once
# Between deliveries `sluice run` takes what is new; dim_customer keeps each customer's history.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
day=${1:?usage: deliver.sh 1|2|3|all}
mkdir -p "$here/inbox/orders" "$here/inbox/customers" "$here/inbox/products"
take() { cp "$here/drops/$1" "$here/inbox/$1"; }
case "$day" in
  1) take orders/orders_2026-11-01.csv; take orders/orders_2026-11-02.csv
     take customers/customers_1.jsonl; take products/products.csv ;;
  2) take orders/orders_2026-11-03.csv; take orders/orders_2026-11-04.csv
     take customers/customers_2.jsonl ;;
  3) take orders/orders_2026-11-05_late.csv; take customers/customers_3.jsonl ;;
  all) for d in 1 2 3; do "$0" "$d"; done ;;
  *) echo "deliver.sh: no day '$day' (1, 2, 3 or all)" >&2; exit 2 ;;
esac
