{#- RFM group migration: how the profiles of each RFM group (rfm_segments: champions, loyal,
    at_risk, ...) at one date are spread over the groups at a later date.

    The warehouse holds one as-of date D, so both ends are recomputed here from int_purchases
    with fct_rfm's rules (population: a purchase in the last rfm_lookback_months months;
    R = last purchase day, F = purchases, M = mean order in cents, each ranked with rank() and
    scored with personas.rfm_score: the macro personas.rfm_codes_at, which seg_rising_stars
    shares). With the default vars the "to" end is D, and equals fct_rfm
    (tests/python/test_analyses.py checks it), and the "from" end is rfm_migration_months (3)
    months earlier: the purchases staged today, cut at that date.
    Vars (all optional): rfm_migration_to_date, rfm_migration_from_date ('YYYY-MM-DD');
    rfm_migration_months. int_purchases holds no purchase after D, so a date after D sees D's.

    A profile outside the RFM population at one end (no purchase in the lookback then) is in
    the group 'outside_rfm_population' there. One row per (from group, to group) pair that
    has a profile. -#}
{%- set outside = 'outside_rfm_population' -%}
{%- set to_var = var('rfm_migration_to_date', none) -%}
{%- set from_var = var('rfm_migration_from_date', none) -%}
{%- set to_on = personas.as_of_date() if to_var is none or to_var | string | trim == '' else
    "cast('" ~ personas.validated_date_var('rfm_migration_to_date', to_var) ~ "' as date)" -%}
{%- set from_on = personas.months_before(to_on, var('rfm_migration_months', 3))
    if from_var is none or from_var | string | trim == '' else
    "cast('" ~ personas.validated_date_var('rfm_migration_from_date', from_var) ~ "' as date)" %}
with

int_purchases as (
    select * from {{ ref('int_purchases') }}
),

rfm_segments as (
    select * from {{ ref('rfm_segments') }}
),

migration_dates as (
    select
        'from' as rfm_end,
        {{ from_on }} as rfm_on
    union all
    select
        'to' as rfm_end,
        {{ to_on }} as rfm_on
),

-- fct_rfm's rules at both dates (personas.rfm_codes_at, shared with seg_rising_stars).
{{ personas.rfm_codes_at('rfm_coded', 'int_purchases', 'migration_dates') }},

rfm_groups as (
    select
        rfm_coded.rfm_end as migration_end,
        rfm_coded.profile_id,
        rfm_segments.rfm_segment
    from rfm_coded
    inner join rfm_segments
        on rfm_coded.rfm_code = rfm_segments.rfm_code
),

from_groups as (
    select
        profile_id,
        rfm_segment
    from rfm_groups
    where migration_end = 'from'
),

to_groups as (
    select
        profile_id,
        rfm_segment
    from rfm_groups
    where migration_end = 'to'
),

profile_migrations as (
    select
        coalesce(from_groups.profile_id, to_groups.profile_id) as profile_id,
        coalesce(from_groups.rfm_segment, '{{ outside }}') as from_rfm_segment,
        coalesce(to_groups.rfm_segment, '{{ outside }}') as to_rfm_segment
    from from_groups
    full outer join to_groups
        on from_groups.profile_id = to_groups.profile_id
),

migrations as (
    select
        from_rfm_segment,
        to_rfm_segment,
        count(*) as profiles
    from profile_migrations
    group by from_rfm_segment, to_rfm_segment
),

from_group_sizes as (
    select
        from_rfm_segment,
        sum(profiles) as from_group_profiles
    from migrations
    group by from_rfm_segment
),

final as (
    select
        migrations.from_rfm_segment,
        migrations.to_rfm_segment,
        migrations.profiles,
        from_group_sizes.from_group_profiles,
        {{ personas.exact_ratio('migrations.profiles', 'from_group_sizes.from_group_profiles') }}
            as share_of_from_group,
        migrations.from_rfm_segment = migrations.to_rfm_segment as is_same_group,
        {{ from_on }} as from_on,
        {{ to_on }} as to_on
    from migrations
    inner join from_group_sizes
        on migrations.from_rfm_segment = from_group_sizes.from_rfm_segment
)

select * from final
