-- Revenue by the city the customer lived in at the time of the order.
select c.city, count(*) as orders, sum(f.amount) as revenue
from {{ ref('fact_orders') }} f
join {{ ref('dim_customer') }} c on c.customer_key = f.customer_key
group by c.city
order by c.city
