-- Where the checked rows of each raw entity went, counted in one pass over base_<entity> (the
-- checked rows, after the parent check): staged, quarantined (per reason and failing column)
-- or collapsed into an exact copy, by the very filters of stg_<entity> and
-- stg_<entity>_quarantine. Both data-quality marts read this small table, so a build joins
-- the email events, the largest raw entity, to the profiles once for them, not twice
-- (measured: docs/benchmarks.md, "2026-12-03: a faster machine, and three changes outside
-- staging"). The singular tests assert_staged_views_match_reconciliation and
-- assert_quarantine_summary_matches_views check it against the views themselves.
{%- set entities = personas.checked_entities() %}

with

{% for entity in entities %}
base_{{ entity[4:] }} as (
    select * from {{ ref('base_' ~ entity[4:]) }}
),

{% endfor -%}

-- Grouped by the base columns themselves, each entity apart: every checked row grouped by
-- three mostly-null columns, with the outcome named after grouping, on a few dozen rows
-- (scale: docs/benchmarks.md, "Figures moved from code comments (2026-12-06)").
grouped as (
    {%- for entity in entities %}
    select
        '{{ entity }}' as entity,
        is_collapsed_duplicate,
        quarantine_reason,
        quarantine_column,
        count(*) as checked_rows
    from base_{{ entity[4:] }}
    group by is_collapsed_duplicate, quarantine_reason, quarantine_column
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- A collapsed copy is counted as collapsed whatever its checks found (as in the views, which
-- both leave it out).
outcomes as (
    select
        entity,
        case
            when is_collapsed_duplicate then 'collapsed_duplicate'
            when quarantine_reason is null then 'staged'
            else 'quarantined'
        end as outcome,
        case when not is_collapsed_duplicate then quarantine_reason end as quarantine_reason,
        case when not is_collapsed_duplicate then quarantine_column end as quarantine_column,
        checked_rows
    from grouped
),

final as (
    select
        entity,
        outcome,
        quarantine_reason,
        quarantine_column,
        cast(sum(checked_rows) as {{ dbt.type_bigint() }}) as checked_rows
    from outcomes
    group by entity, outcome, quarantine_reason, quarantine_column
)

select * from final
