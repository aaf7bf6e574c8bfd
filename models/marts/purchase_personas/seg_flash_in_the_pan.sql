with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        purchase_count,
        recent_purchase_count,
        total_revenue,
        average_order_value,
        last_purchase_on
    from dim_profiles
    where
        is_lapsed_buyer and not is_frequent_buyer and is_high_value
        and {{ personas.consent_rule() }}
)

select * from final
