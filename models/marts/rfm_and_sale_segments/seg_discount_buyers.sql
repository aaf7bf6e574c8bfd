-- A purchase in the last discount_lookback_months months with a line whose
-- discount_amount > 0.
with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

int_purchases as (
    select * from {{ ref('int_purchases') }}
),

discounted_purchases as (
    select
        profile_id,
        count(*) as discounted_purchase_count,
        max(ordered_on) as last_discounted_purchase_on
    from int_purchases
    where
        has_discounted_line
        and {{ personas.in_last_months('ordered_on', var('discount_lookback_months')) }}
    group by profile_id
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        discounted_purchases.discounted_purchase_count,
        discounted_purchases.last_discounted_purchase_on
    from dim_profiles
    inner join discounted_purchases
        on dim_profiles.profile_id = discounted_purchases.profile_id
    where {{ personas.consent_rule() }}
)

select * from final
