-- Rising stars: the RFM group at D ranks above the group at the start of the period
-- (rising_stars_period_months before D). The group at D is dim_profiles' (fct_rfm); the
-- group at the start is recomputed with the same rules from the purchases up to that date
-- (personas.rfm_codes_at, shared with analyses/rfm_group_migration). Groups are ranked by
-- personas.rfm_group_rank (lost = 1 ... champions = 11).
{%- set period_start = personas.months_before(personas.as_of_date(), var('rising_stars_period_months')) %}
with

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

int_purchases as (
    select * from {{ ref('int_purchases') }}
),

rfm_segments as (
    select * from {{ ref('rfm_segments') }}
),

period_start as (
    select
        'period_start' as rfm_end,
        {{ period_start }} as rfm_on
),

{{ personas.rfm_codes_at('start_rfm_codes', 'int_purchases', 'period_start') }},

start_groups as (
    select
        start_rfm_codes.profile_id,
        start_rfm_codes.rfm_code,
        rfm_segments.rfm_segment
    from start_rfm_codes
    inner join rfm_segments
        on start_rfm_codes.rfm_code = rfm_segments.rfm_code
),

final as (
    select
        {{ personas.segment_profile_columns() }},
        dim_profiles.rfm_code,
        dim_profiles.rfm_segment,
        {{ personas.rfm_group_rank('dim_profiles.rfm_segment') }} as rfm_group_rank,
        start_groups.rfm_code as period_start_rfm_code,
        start_groups.rfm_segment as period_start_rfm_segment,
        {{ personas.rfm_group_rank('start_groups.rfm_segment') }} as period_start_rfm_group_rank,
        {{ period_start }} as period_start_on,
        dim_profiles.last_purchase_on
    from dim_profiles
    inner join start_groups
        on dim_profiles.profile_id = start_groups.profile_id
    where
        {{ personas.rfm_group_rank('dim_profiles.rfm_segment') }}
        > {{ personas.rfm_group_rank('start_groups.rfm_segment') }}
        and {{ personas.consent_rule() }}
)

select * from final
