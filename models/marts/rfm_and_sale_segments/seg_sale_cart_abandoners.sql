-- An added_to_cart or started_checkout event in the current sale's window and no purchase
-- in that window; empty when there is no current sale.
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

int_sale_windows as (
    select * from {{ ref('int_sale_windows') }}
),

current_sale as (
    select * from int_sale_windows
    where sale_role = 'current'
),

sale_carts as (
    select
        int_site_visits_scoped.profile_id,
        current_sale.sale_id,
        count(*) as sale_cart_events,
        max(int_site_visits_scoped.occurred_at) as last_cart_event_at
    from int_site_visits_scoped
    inner join current_sale
        on
            int_site_visits_scoped.occurred_on >= current_sale.starts_on
            and int_site_visits_scoped.occurred_on <= current_sale.window_ends_on
    where int_site_visits_scoped.event_type in ('added_to_cart', 'started_checkout')
    group by int_site_visits_scoped.profile_id, current_sale.sale_id
),

sale_buyers as (
    select distinct int_purchases.profile_id
    from int_purchases
    inner join current_sale
        on
            int_purchases.ordered_on >= current_sale.starts_on
            and int_purchases.ordered_on <= current_sale.window_ends_on
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        sale_carts.sale_id,
        sale_carts.sale_cart_events,
        sale_carts.last_cart_event_at
    from dim_profiles
    inner join sale_carts
        on dim_profiles.profile_id = sale_carts.profile_id
    left join sale_buyers
        on dim_profiles.profile_id = sale_buyers.profile_id
    where
        sale_buyers.profile_id is null
        and {{ personas.consent_rule() }}
)

select * from final
