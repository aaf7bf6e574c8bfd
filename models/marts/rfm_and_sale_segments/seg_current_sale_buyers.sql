-- A purchase in the current sale's window (int_sale_windows, role 'current'); empty when
-- there is no such sale.
with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

int_purchases as (
    select * from {{ ref('int_purchases') }}
),

int_sale_windows as (
    select * from {{ ref('int_sale_windows') }}
),

sale_purchases as (
    select
        int_purchases.profile_id,
        int_sale_windows.sale_id,
        count(*) as sale_purchase_count,
        {{ personas.cents_to_money('sum(int_purchases.order_total_cents)') }} as sale_revenue,
        max(int_purchases.ordered_on) as last_sale_purchase_on
    from int_purchases
    inner join int_sale_windows
        on
            int_sale_windows.sale_role = 'current'
            and int_purchases.ordered_on >= int_sale_windows.starts_on
            and int_purchases.ordered_on <= int_sale_windows.window_ends_on
    group by int_purchases.profile_id, int_sale_windows.sale_id
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        sale_purchases.sale_id,
        sale_purchases.sale_purchase_count,
        sale_purchases.sale_revenue,
        sale_purchases.last_sale_purchase_on
    from dim_profiles
    inner join sale_purchases
        on dim_profiles.profile_id = sale_purchases.profile_id
    where {{ personas.consent_rule() }}
)

select * from final
