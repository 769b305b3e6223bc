-- Revenue by the country each customer lived in when they ordered (the dim_customer version
-- valid at the order's time), delivered and shipped orders only.
{{ config(materialized='view') }}
select c.country,
       count(*) as orders,
       count(distinct c.customer_id) as customers,
       round(sum(f.amount), 2) as revenue
from {{ ref('fact_sales') }} f
join {{ ref('dim_customer') }} c on c.customer_key = f.customer_key
where f.status in ('shipped', 'delivered')
group by c.country
order by revenue desc
