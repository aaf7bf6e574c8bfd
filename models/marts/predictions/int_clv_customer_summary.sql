-- The inputs of the BG/NBD and Gamma-Gamma models, one row per buyer (every profile with a
-- purchase on or before D, as in fct_rfm): repeat purchases are distinct purchase days, as
-- the models define them (several orders on one day are one purchase of their summed value).
with

int_purchases as (
    select * from {{ ref('int_purchases') }}
),

fct_rfm as (
    select * from {{ ref('fct_rfm') }}
),

purchase_days as (
    select
        profile_id,
        ordered_on,
        sum(order_total_cents) as day_total_cents
    from int_purchases
    group by profile_id, ordered_on
),

per_profile as (
    select
        profile_id,
        count(*) as purchase_days,
        min(ordered_on) as first_purchase_on,
        max(ordered_on) as last_purchase_on,
        sum(day_total_cents) as total_cents
    from purchase_days
    group by profile_id
),

first_day_totals as (
    select
        per_profile.profile_id,
        purchase_days.day_total_cents as first_day_cents
    from per_profile
    inner join purchase_days
        on
            per_profile.profile_id = purchase_days.profile_id
            and per_profile.first_purchase_on = purchase_days.ordered_on
),

final as (
    select
        per_profile.profile_id,
        per_profile.purchase_days - 1 as frequency,
        {{ dbt.datediff('per_profile.first_purchase_on', 'per_profile.last_purchase_on', 'day') }}
            as recency_days,
        {{ dbt.datediff('per_profile.first_purchase_on', personas.as_of_date(), 'day') }}
            as age_days,
        case
            when per_profile.purchase_days > 1
                then
                    cast(per_profile.total_cents - first_day_totals.first_day_cents as {{ personas.type_double() }})
                    / (100 * (per_profile.purchase_days - 1))
        end as repeat_monetary_value,
        fct_rfm.is_in_rfm_population,
        per_profile.first_purchase_on,
        per_profile.last_purchase_on
    from per_profile
    inner join first_day_totals
        on per_profile.profile_id = first_day_totals.profile_id
    inner join fct_rfm
        on per_profile.profile_id = fct_rfm.profile_id
)

select * from final
