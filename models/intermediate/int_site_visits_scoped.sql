-- Staged site events of known profiles on or before D, with the catalog's named flags.
with

stg_site_visits as (
    select * from {{ ref('stg_site_visits') }}
),

final as (
    select
        event_id,
        profile_id,
        session_id,
        event_type,
        product_id,
        category,
        value,
        event_type in ('viewed_product', 'added_to_cart', 'started_checkout')
            as is_product_interest,
        occurred_on,
        occurred_at
    from stg_site_visits
    where
        profile_id is not null
        and {{ personas.on_or_before_as_of('occurred_on') }}
)

select * from final
