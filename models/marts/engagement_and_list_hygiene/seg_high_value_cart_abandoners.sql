-- A started_checkout in the last cart_abandonment_days days with a value above T, and no
-- purchase at or after that checkout's timestamp. The latest such checkout decides: if any
-- qualifying checkout has no purchase after it, the latest one has none either.
with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

int_site_visits_scoped as (
    select * from {{ ref('int_site_visits_scoped') }}
),

int_purchases as (
    select * from {{ ref('int_purchases') }}
),

int_high_value_threshold as (
    select * from {{ ref('int_high_value_threshold') }}
),

high_value_checkouts as (
    select
        int_site_visits_scoped.profile_id,
        max(int_site_visits_scoped.value) as highest_checkout_value,
        max(int_site_visits_scoped.occurred_at) as last_checkout_at
    from int_site_visits_scoped
    cross join int_high_value_threshold
    where
        int_site_visits_scoped.event_type = 'started_checkout'
        and {{ personas.in_last_days('int_site_visits_scoped.occurred_on', var('cart_abandonment_days')) }}
        and int_site_visits_scoped.value > int_high_value_threshold.high_value_threshold
    group by int_site_visits_scoped.profile_id
),

last_purchases as (
    select
        profile_id,
        max(ordered_at) as last_purchase_at
    from int_purchases
    group by profile_id
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        high_value_checkouts.highest_checkout_value,
        high_value_checkouts.last_checkout_at,
        last_purchases.last_purchase_at
    from dim_profiles
    inner join high_value_checkouts
        on dim_profiles.profile_id = high_value_checkouts.profile_id
    left join last_purchases
        on dim_profiles.profile_id = last_purchases.profile_id
    where
        (
            last_purchases.last_purchase_at is null
            or last_purchases.last_purchase_at < high_value_checkouts.last_checkout_at
        )
        and {{ personas.consent_rule() }}
)

select * from final
