-- dq_load_reconciliation counts the staged and quarantined rows of each raw entity in one pass
-- over base_<entity>, by the filters of the views; this test checks that stg_<entity> and
-- stg_<entity>_quarantine hold exactly those counts, so that a view whose filter drifts (a row
-- dropped or shown twice) still breaks the reconciliation. Fails with the entity, the view and
-- both counts.
{%- set entities = personas.checked_entities() | map('replace', 'raw_', '', 1) | list %}
with

dq_load_reconciliation as (
    select * from {{ ref('dq_load_reconciliation') }}
),

view_counts as (
    {%- for name in entities %}
    select
        'raw_{{ name }}' as entity,
        'stg_{{ name }}' as view_name,
        count(*) as view_rows
    from {{ ref('stg_' ~ name) }}
    union all
    select
        'raw_{{ name }}' as entity,
        'stg_{{ name }}_quarantine' as view_name,
        count(*) as view_rows
    from {{ ref('stg_' ~ name ~ '_quarantine') }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        view_counts.entity,
        view_counts.view_name,
        view_counts.view_rows,
        case
            when view_counts.view_name like '%_quarantine' then dq_load_reconciliation.quarantined_rows
            else dq_load_reconciliation.staged_rows
        end as reconciled_rows
    from view_counts
    left join dq_load_reconciliation
        on view_counts.entity = dq_load_reconciliation.entity
)

select * from final
where reconciled_rows is null or view_rows != reconciled_rows
