-- Customers with more than one address in the dimension's history, and where they live now.
select customer_id,
       count(*) as versions,
       max(case when is_current then city end) as city_now,
       min(valid_from) as first_seen
from {{ ref('dim_customer') }}
where customer_key <> 0
group by customer_id
having count(*) > 1
