-- One row per raw entity: the rows read from the raw input itself, and where each went
-- (staged, quarantined, or collapsed into an exact copy). The data test on this model proves
-- the contract's reconciliation: raw = staged + quarantined + collapsed duplicates.
--
-- Where each row went comes from int_checked_row_outcomes: one pass over the checked rows
-- (base_<entity>, after the parent check) by the very conditions stg_<entity> and
-- stg_<entity>_quarantine filter on, shared with dq_quarantine_summary. (Reading the staged
-- view, the quarantine view and the collapsed rows apart joined the email events, the largest
-- raw entity, to the profiles three times. Measured: docs/benchmarks.md, "2026-12-02: a slower
-- machine, and what each change is worth alone".) The singular test
-- assert_staged_views_match_reconciliation checks that the views hold exactly these counts.
{%- set entities = personas.checked_entities() %}

with

{% for entity in entities %}
{{ entity }} as (
    select * from {{ personas.raw_relation(entity) }} as {{ entity }}
),

{% endfor -%}

int_checked_row_outcomes as (
    select * from {{ ref('int_checked_row_outcomes') }}
),

-- Rows of each raw input.
raw_counts as (
    {%- for entity in entities %}
    select
        '{{ entity }}' as entity,
        count(*) as raw_rows
    from {{ entity }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- Where the checked rows of each entity went.
placed_counts as (
    select
        entity,
        sum(case when outcome = 'staged' then checked_rows else 0 end) as staged_rows,
        sum(case when outcome = 'quarantined' then checked_rows else 0 end) as quarantined_rows,
        sum(case when outcome = 'collapsed_duplicate' then checked_rows else 0 end) as collapsed_duplicates
    from int_checked_row_outcomes
    group by entity
),

per_entity as (
    select
        raw_counts.entity,
        cast(raw_counts.raw_rows as {{ dbt.type_bigint() }}) as raw_rows,
        cast(coalesce(placed_counts.staged_rows, 0) as {{ dbt.type_bigint() }}) as staged_rows,
        cast(coalesce(placed_counts.quarantined_rows, 0) as {{ dbt.type_bigint() }}) as quarantined_rows,
        cast(coalesce(placed_counts.collapsed_duplicates, 0) as {{ dbt.type_bigint() }}) as collapsed_duplicates
    from raw_counts
    left join placed_counts
        on raw_counts.entity = placed_counts.entity
),

final as (
    select
        entity,
        raw_rows,
        staged_rows,
        quarantined_rows,
        collapsed_duplicates,
        raw_rows = staged_rows + quarantined_rows + collapsed_duplicates as is_reconciled
    from per_entity
)

select * from final
