-- One row per (profile, category): at least 2 purchases in the last category_repeat_days
-- days that contain a line of that category.
with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

int_purchase_categories as (
    select * from {{ ref('int_purchase_categories') }}
),

category_purchases as (
    select
        profile_id,
        category,
        count(*) as category_purchase_count,
        max(ordered_on) as last_category_purchase_on
    from int_purchase_categories
    where {{ personas.in_last_days('ordered_on', var('category_repeat_days')) }}
    group by profile_id, category
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        category_purchases.category,
        category_purchases.category_purchase_count,
        category_purchases.last_category_purchase_on
    from dim_profiles
    inner join category_purchases
        on dim_profiles.profile_id = category_purchases.profile_id
    where
        category_purchases.category_purchase_count >= 2
        and {{ personas.consent_rule() }}
)

select * from final
