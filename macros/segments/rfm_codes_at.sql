{#- The RFM codes of fct_rfm's rules at one or more dates, recomputed from purchases: CTEs to
    put in a model's `with` (no trailing comma). Shared by seg_rising_stars (the group at the
    start of its period) and analyses/rfm_group_migration (both ends).

    purchases: a relation or CTE with profile_id, order_total_cents and ordered_on
    (int_purchases); dates: a relation or CTE with one row per date, the columns rfm_end (a
    label) and rfm_on (the date). At each date: the population is the profiles with a purchase
    in the last rfm_lookback_months months (personas.in_last_months with that date as D);
    R = last purchase day, F = purchases, M = mean order in cents, each ranked with rank()
    (ties share the lowest rank, the worst gets 1) and scored with personas.rfm_score, per
    date. The last CTE, `name`, has one row per (rfm_end, profile_id) of the population,
    with rfm_code ('RFM' digits, as fct_rfm). At D it equals fct_rfm (tests/python/test_analyses.py). -#}
{% macro rfm_codes_at(name, purchases, dates) -%}
{{ name }}_purchases as (
    select
        rfm_dates.rfm_end,
        rfm_purchases.profile_id,
        rfm_purchases.order_total_cents,
        rfm_purchases.ordered_on
    from {{ dates }} as rfm_dates
    inner join {{ purchases }} as rfm_purchases
        on {{ personas.in_last_months(
            'rfm_purchases.ordered_on', var('rfm_lookback_months'), as_of='rfm_dates.rfm_on') }}
),

{{ name }}_population as (
    select
        rfm_end,
        profile_id,
        count(*) as rfm_purchase_count,
        {{ personas.mean_cents_rounded('sum(order_total_cents)', 'count(*)') }} as rfm_monetary_cents,
        max(ordered_on) as last_purchase_on
    from {{ name }}_purchases
    group by rfm_end, profile_id
),

{{ name }}_ranked as (
    select
        rfm_end,
        profile_id,
        rank() over (partition by rfm_end order by last_purchase_on) as recency_rank,
        rank() over (partition by rfm_end order by rfm_purchase_count) as frequency_rank,
        rank() over (partition by rfm_end order by rfm_monetary_cents) as monetary_rank,
        count(*) over (partition by rfm_end) as population_size
    from {{ name }}_population
),

{{ name }} as (
    select
        rfm_end,
        profile_id,
        {{ dbt.concat([
            'cast(' ~ personas.rfm_score('recency_rank', 'population_size') ~ ' as ' ~ dbt.type_string() ~ ')',
            'cast(' ~ personas.rfm_score('frequency_rank', 'population_size') ~ ' as ' ~ dbt.type_string() ~ ')',
            'cast(' ~ personas.rfm_score('monetary_rank', 'population_size') ~ ' as ' ~ dbt.type_string() ~ ')',
        ]) }} as rfm_code
    from {{ name }}_ranked
)
{%- endmacro %}
