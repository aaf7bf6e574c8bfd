-- T, the high-value threshold: var high_value_threshold, or else the mean order_total of all
-- purchases on or before D, rounded half away from zero to the cent. One row; T is null when
-- there is no purchase at all (then nobody is high-value).
with

int_purchases as (
    select * from {{ ref('int_purchases') }}
),

shop_mean as (
    select
        {{ personas.mean_cents_rounded('sum(order_total_cents)', 'count(*)') }} as mean_order_total_cents
    from int_purchases
),

final as (
    select
        {%- if var('high_value_threshold', none) is not none %}
        cast({{ var('high_value_threshold') }} as decimal(18, 2)) as high_value_threshold,
        {%- else %}
        {{ personas.cents_to_money('mean_order_total_cents') }} as high_value_threshold,
        {%- endif %}
        {{ personas.cents_to_money('mean_order_total_cents') }} as shop_mean_order_total
    from shop_mean
)

select * from final
