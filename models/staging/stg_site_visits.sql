with

base_site_visits as (
    select * from {{ ref('base_site_visits') }}
),

final as (
    select
        event_id,
        profile_id,
        session_id,
        event_type,
        product_id,
        category,
        value_parsed as value,
        cast(occurred_at_parsed as date) as occurred_on,
        occurred_at_parsed as occurred_at
    from base_site_visits
    where not is_collapsed_duplicate and quarantine_reason is null
)

select * from final
